/**
 * Every rate and share the simulator uses, in one place, with where it comes from. The anchor is
 * Gansu's 2024 report on its political-legal work (DESIGN.md "Scale figures"); the shares below it
 * are plausible splits of that total, not published figures.
 */
import type { Channel, DisputeCategory, IncidentCategory, RiskMarker } from '../../shared/vocab.ts';

export const GANSU_2024 = {
  disputesHandled: 812_700,
  /** Passed between court, police and petition mediation (诉调、警调、访调对接). */
  disputesMediated: 479_100,
  mediatedSuccessfully: 358_200,
} as const;

/** ≈ 2,227 disputes a day province-wide. */
export const DISPUTES_PER_DAY = GANSU_2024.disputesHandled / 365;

/**
 * 358,200 / 479,100 ≈ 0.748: the share of mediated disputes that end `resolved`; the rest `failed`.
 * Every simulated dispute goes through mediation, so this is also the overall resolution rate.
 */
export const MEDIATION_SUCCESS = GANSU_2024.mediatedSuccessfully / GANSU_2024.disputesMediated;

/**
 * Incidents (案事件 and 110 警情 that become cases) a day, province-wide. Gansu's 110 centres take
 * tens of thousands of calls a day, most of them help requests, not cases; ~6,000 cases keeps
 * the wall busy at a realistic order of magnitude. Configurable (`incidentsPerDay`).
 */
export const DEFAULT_INCIDENTS_PER_DAY = 6_000;

/**
 * Homicides run as their own small process, so "a few per month" holds whatever `incidentsPerDay`
 * is: China's rate is ~0.5 per 100,000 a year, Gansu has ~25 million people → ~10 a month known
 * to police; solved 命案 of the year are fewer, and 5 a month keeps red alerts rare.
 */
export const HOMICIDES_PER_MONTH = 5;

/** Incident categories (homicide excluded, see above). 110 case mixes are led by public order and traffic. */
export const INCIDENT_CATEGORY_SHARES: Record<Exclude<IncidentCategory, 'homicide'>, number> = {
  public_order: 0.36,
  traffic: 0.27,
  criminal: 0.13,
  fraud: 0.1,
  petition: 0.1,
  fire: 0.04,
};

/** Dispute categories: neighbour and family lead in rural grid work, then land and debt. */
export const DISPUTE_CATEGORY_SHARES: Record<DisputeCategory, number> = {
  neighbour: 0.25,
  family: 0.22,
  land: 0.14,
  debt: 0.12,
  other: 0.1,
  labour: 0.08,
  property: 0.07,
  medical: 0.02,
};

type ChannelShares = Partial<Record<Channel, number>>;

/** Incidents come overwhelmingly through 110; petitions through the petition bureau. */
export const INCIDENT_CHANNELS: Record<IncidentCategory, ChannelShares> = {
  public_order: { police_110: 0.84, hotline_12345: 0.06, grid: 0.05, app: 0.02, walk_in: 0.03 },
  traffic: { police_110: 0.93, hotline_12345: 0.03, app: 0.04 },
  criminal: { police_110: 0.85, walk_in: 0.1, app: 0.03, grid: 0.02 },
  fraud: { police_110: 0.65, app: 0.2, hotline_12345: 0.1, walk_in: 0.05 },
  fire: { police_110: 0.9, hotline_12345: 0.05, grid: 0.05 },
  petition: { petition: 0.7, hotline_12345: 0.15, walk_in: 0.15 },
  homicide: { police_110: 1 },
};

/** Disputes: grid workers, walk-ins and the 12345 hotline first (多元受理), courts and petitions less. */
export const DISPUTE_CHANNELS: ChannelShares = {
  grid: 0.32,
  walk_in: 0.22,
  hotline_12345: 0.18,
  app: 0.08,
  police_110: 0.08,
  petition: 0.07,
  court: 0.05,
};

/** Severities 1 一般 … 4 特别重大: almost everything is 一般 or 较大. */
export const INCIDENT_SEVERITIES = { 1: 0.78, 2: 0.18, 3: 0.035, 4: 0.005 } as const;
export const DISPUTE_SEVERITIES = { 1: 0.85, 2: 0.13, 3: 0.02 } as const;

/** Categories where the homicide-risk rule looks for violent markers (DESIGN.md 命案风险). */
export const VIOLENT_RISK_CATEGORIES: ReadonlySet<DisputeCategory> = new Set(['family', 'neighbour', 'debt']);

/**
 * Per-dispute chance of each violent marker in those categories (~1,310 such disputes a day):
 * ≈ 4 violence threats, 1 weapon and 0.7 kill threats a day province-wide — a handful of
 * homicide-risk alerts a day, a red one most days.
 */
export const VIOLENT_MARKERS: Partial<Record<RiskMarker, number>> = {
  violence_threat: 0.003,
  weapon: 0.0008,
  kill_threat: 0.0005,
};

/** Other markers, any dispute category. */
export const OTHER_DISPUTE_MARKERS: Partial<Record<RiskMarker, number>> = {
  minor_involved: 0.004,
  self_harm: 0.0008,
};
/** Land and labour disputes sometimes bring a crowd (讨薪、征地). */
export const MASS_GATHERING_SHARE: Partial<Record<DisputeCategory, number>> = { land: 0.01, labour: 0.015 };

/** Family/neighbour/debt disputes that flare up while being mediated (severity +1, `escalating`). */
export const ESCALATION_SHARE = 0.01;

/**
 * 当场/当日调处: the share of 一般 disputes (severity 1, no risk marker) of each category that the
 * grid worker or the village mediation committee settles the day it is taken in (小事不出村):
 * most quarrels between neighbours and in families, few land or medical disputes, which need
 * surveys, records and experts. Weighted by the category shares, ≈ 28 % of all disputes. Without
 * it no dispute received today was 化解 or 核验 before the evening, and the wall's 纠纷化解 and the
 * funnel's last stages read 0 all day. Plausible, not published figures.
 */
export const SAME_DAY_SHARE: Record<DisputeCategory, number> = {
  neighbour: 0.45,
  family: 0.35,
  other: 0.35,
  debt: 0.2,
  property: 0.2,
  labour: 0.1,
  land: 0.05,
  medical: 0.05,
};

/** Disputes not dispatched within their SLA, so the overdue counters always have something. */
export const LATE_DISPATCH_SHARE = 0.04;
/** Disputes that drag past their resolution SLA. */
export const LATE_RESOLUTION_SHARE = 0.02;
/** Of resolved / failed disputes, the share the centre goes back to verify (回访核验). */
export const VERIFY_SHARE = { resolved: 0.9, failed: 0.5 } as const;

/** Lifecycle messages delivered after the next message of their case (out-of-order delivery). */
export const OUT_OF_ORDER_SHARE = 0.03;

/**
 * Cases entered late (补录): a grid worker types in the afternoon what happened in the morning, a
 * 司法所 registers yesterday's dispute. Everything of the case that happened by then arrives
 * together, past the 上报及时率 limits (30 minutes for incidents, 24 hours for disputes).
 */
export const LATE_REPORTS = {
  incident: { share: 0.004, delayMinutes: [35, 240] },
  dispute: { share: 0.003, delayMinutes: [25 * 60, 60 * 60] },
} as const;

/**
 * The sending systems (来源系统) the simulator stands in for: one per channel family and city, so
 * one can fall silent while the others go on (\`simulator.<system>.<city>\`, 6 × 14 sources).
 */
export const SOURCE_SYSTEMS: Record<Channel, string> = {
  police_110: '110',
  hotline_12345: '12345',
  grid: 'grid',
  app: 'grid',
  petition: 'xinfang',
  court: 'court',
  walk_in: 'zongzhi',
};

/**
 * Now and then a system's link goes down (接口中断) for 2–6 hours; what it held back arrives when
 * it is back. One chance in 1,000 per source and hour: about two outages a day among the 84
 * sources, the busy ones (a city's 110) raising a 失联 warning within the hour.
 */
export const SOURCE_OUTAGES = { perSourceHour: 1 / 1000, hours: [2, 6] } as const;

/**
 * Repeat parties: a dispute sometimes starts a series — the same households back 2–4 more times
 * within 3–25 days (一户多次纠纷). 0.5% of ~2,230 a day → ~11 series a day, ~35 follow-up
 * disputes a day, so "same parties in ≥ 3 disputes in 30 days" is always present but rare.
 */
export const REPEAT_SERIES = { share: 0.005, followUps: [2, 4], withinDays: [3, 25] } as const;

/**
 * 访调对接失败后重复信访: a dispute whose mediation failed sometimes sends its first party to the
 * petition bureau, again and again, within two weeks of the failure. ~2,230 disputes a day × 25 %
 * failed × 0.8 % ≈ 4.5 such parties a day, each reaching the repeat rule's 3 petitions: a few
 * new 重复信访 warnings a day across the province, beside the chronic petitioners below (whose
 * alerts, once open, only grow).
 */
export const PETITION_AFTER_FAILURE = { share: 0.008, petitions: [3, 5], withinDays: [1, 14] } as const;

/** Chronic petitioners: each county has a few whose ids recur in its petitions. */
export const CHRONIC_PETITIONERS = { perCounty: 3, share: 0.03 } as const;

/** Spikes: bursts of public-order/criminal incidents in one county (打架斗殴、聚众), a few a day. */
export const SPIKES = {
  perDay: 3,
  minutes: [15, 30],
  incidents: [12, 28],
  /** Radius around the spike's centre, in degrees (≈ 1–1.5 km), so the cluster rule sees it too. */
  radiusDeg: 0.012,
  categories: { public_order: 0.65, criminal: 0.35 },
  massGatheringShare: 0.2,
} as const;

/** Where in the tree an event is placed: mostly the village, sometimes only the township or county. */
export const PLACE_LEVEL_SHARES = { village: 0.85, township: 0.1, county: 0.05 } as const;

/** Share of disputes with a map location (incidents always have one). */
export const DISPUTE_LOCATION_SHARE = 0.85;
