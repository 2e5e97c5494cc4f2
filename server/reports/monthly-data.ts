/**
 * Everything the monthly 通报 (一月一通报) of a region says, gathered once and rendered as HTML, PDF,
 * CSV or XLSX (monthly-html.ts, monthly-tables.ts): headline figures, the 平安指数 ranking of its
 * children with the change from the month before, the 督办考核, the month's red alerts and how they
 * ended, the 重点问题 struck off and still open, and what is overdue, named by desk and department.
 * Public mode masks the free text (alert and problem titles) before it leaves this module.
 */
import type { RedisClient } from '../redis/connection.ts';
import { ALERT_STATE_LABELS } from '../../shared/schemas/alert.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import type { RegionRef } from '../../shared/regions.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../shared/vocab.ts';
import type { Judged } from '../assessment/compute.ts';
import type { ProblemFigures } from '../assessment/problem-source.ts';
import type { Assessment } from '../assessment/service.ts';
import { DISPUTES, INCIDENTS, outcomeField } from '../counters/fields.ts';
import { readCounterSums } from '../counters/read.ts';
import { RETENTION } from '../counters/retention.ts';
import { maskText } from '../privacy/mask.ts';
import type { KeyRing, Keys } from '../redis/keys.ts';
import type { RegionTree } from '../regions/tree.ts';
import { currentMonth, DAY_MS, monthDays, monthEnd, toWire } from '../safety-index/months.ts';
import { readCoveredDays } from '../safety-index/read.ts';
import type { SafetyIndex } from '../safety-index/service.ts';
import { dayNumber, shiftMonth } from '../time/beijing.ts';
import { placeName } from '../warnings/setup.ts';

export interface ReportDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring (the nation's counters summed from its provinces'). */
  keys: Keys | KeyRing;
  tree: RegionTree;
  assessment: Assessment;
  index: SafetyIndex;
  now: () => number;
}

export interface IndexRow {
  code: string;
  name: string;
  score: number | null;
  /** Indicators scored, of all: a total over fewer is ranked after the complete ones (like with like). */
  scored: number;
  total: number;
  rank: number | null;
  last: number | null;
  change: number | null;
}

export interface RedAlertRow {
  id: string;
  title: string;
  place: string;
  createdAt: number;
  state: string;
  sign: string;
  outcome: string;
  supervision: string;
  departments: string;
}

export interface OverdueRow {
  kind: '督办超期' | '报到超时' | '整改逾期';
  desk: string;
  department: string;
  item: string;
  deadline: number;
}

export interface MonthlyReport {
  region: RegionRef;
  /** `YYYY-MM` */
  month: string;
  provisional: boolean;
  /** History of the month is still being filled in (server/history-fill.ts): provisional, not yet frozen. */
  filling: boolean;
  generatedAt: number;
  /** Beijing days of the month with data (day of month, 1–31), and how many days it has. */
  coverage: {
    covered: number[];
    days: number;
    /** Days before this one are past the day data's retention. */ knownFrom: number;
  };
  hasData: boolean;
  headline: {
    incidents: number;
    disputes: number;
    resolved: number;
    failed: number;
    alerts: Record<WarningLevel, number>;
    index: { score: number | null; rank: { position: number; of: number } | null } | null;
  };
  index: IndexRow[] | null;
  assessment: AssessmentReply;
  redAlerts: RedAlertRow[];
  problems: ProblemFigures | null;
  overdue: OverdueRow[];
}

const RESOLVED = outcomeField('resolved');
const FAILED = outcomeField('failed');
const LIST_CAP = 200;

const hours = (ms: number) =>
  ms < 3_600_000 ? `${Math.max(1, Math.round(ms / 60_000))}分钟` : `${(ms / 3_600_000).toFixed(1)}小时`;

async function coverageOf(deps: ReportDeps, month: string): Promise<MonthlyReport['coverage']> {
  const now = deps.now();
  const today = dayNumber(now);
  const days = monthDays(month).filter((d) => d <= today);
  const firstKept = today - RETENTION.dayBucketsKept;
  const visible = days.filter((d) => d >= firstKept);
  const covered = await readCoveredDays(deps.redis, deps.keys, deps.tree.provinces, visible);
  const dom = (d: number) => new Date(d * DAY_MS).getUTCDate();
  return {
    covered: [...covered].sort((a, b) => a - b).map(dom),
    days: monthDays(month).length,
    knownFrom: visible[0] !== undefined ? dom(visible[0]) : monthDays(month).length + 1,
  };
}

async function headlineCounts(deps: ReportDeps, code: string, month: string) {
  const h = (await readCounterSums(deps.redis, deps.keys, [code], { month })).get(code) ?? {};
  const n = (f: string) => Number(h[f] ?? 0);
  return { incidents: n(INCIDENTS), disputes: n(DISPUTES), resolved: n(RESOLVED), failed: n(FAILED) };
}

/** Children ranked by score, the complete ones (most indicators scored) first, with last month's score. */
async function indexRows(deps: ReportDeps, code: string, month: string) {
  const { oldest } = deps.index.offered();
  const [now, before] = await Promise.all([
    deps.index.reply(code, month),
    month > oldest ? deps.index.reply(code, shiftMonth(month, -1)) : Promise.resolve(undefined),
  ]);
  if (!now) return { rows: null, own: null };
  const last = new Map((before?.children ?? []).map((c) => [c.code, c.score]));
  const rows: IndexRow[] = now.children.map((c) => ({
    code: c.code,
    name: c.name,
    score: c.score,
    scored: c.coverage.scored,
    total: c.coverage.total,
    rank: null,
    last: last.get(c.code) ?? null,
    change: c.score !== null && last.get(c.code) != null ? c.score - last.get(c.code)! : null,
  }));
  const ranked = rows.filter((r) => r.score !== null).sort((a, b) => b.scored - a.scored || b.score! - a.score!);
  ranked.forEach((r, i) => (r.rank = i + 1));
  const unranked = rows.filter((r) => r.score === null);
  return {
    rows: [...ranked, ...unranked],
    own: { score: now.score, rank: now.rank.of > 1 ? { position: now.rank.position, of: now.rank.of } : null },
  };
}

function redAlerts(
  judged: readonly Judged[],
  place: (c: string) => string,
  mask: (s: string) => string,
): RedAlertRow[] {
  return judged
    .filter((j) => j.alert.level === 'red')
    .sort((a, b) => a.alert.createdAt - b.alert.createdAt)
    .slice(0, LIST_CAP)
    .map(({ alert: a, verdicts: v }) => ({
      id: a.id,
      title: mask(a.title),
      place: place(a.region),
      createdAt: a.createdAt,
      state: ALERT_STATE_LABELS[a.state],
      sign: v.sign === 'onTime' ? '按时签收' : v.sign === 'late' ? '超时签收' : '待签收',
      outcome:
        v.resolvedAt !== undefined
          ? `已办结，用时${hours(v.resolvedAt - a.createdAt)}${v.resolve === 'onTime' ? '（时限内）' : '（超时）'}`
          : `未办结${v.resolve === 'late' ? '（已超办结时限）' : ''}`,
      supervision: !a.supervision
        ? '—'
        : v.supervision === 'onTime'
          ? '挂牌督办，按期办结'
          : v.supervision === 'late'
            ? '挂牌督办，逾期'
            : '挂牌督办',
      departments:
        a.departments
          .map((d) => `${d.name}${d.feedback ? '（已反馈）' : d.checkedInAt ? '（已报到）' : '（未报到）'}`)
          .join('、') || '—',
    }));
}

function overdueRows(
  judged: readonly Judged[],
  problems: ProblemFigures | null,
  place: (c: string) => string,
  mask: (s: string) => string,
  now: number,
  departmentName: (idOrName: string) => string,
): OverdueRow[] {
  const out: OverdueRow[] = [];
  for (const { alert: a, verdicts: v } of judged) {
    if (v.supervision === 'late' && v.resolvedAt === undefined && a.supervision?.deadline)
      out.push({
        kind: '督办超期',
        desk: place(a.desk),
        department: a.departments.map((d) => d.name).join('、') || '—',
        item: mask(a.title),
        deadline: a.supervision.deadline,
      });
    for (const d of a.departments)
      if (d.reportBy !== undefined && (d.checkedInAt ?? now) > d.reportBy)
        out.push({
          kind: '报到超时',
          desk: place(a.desk),
          department: d.name,
          item: mask(a.title),
          deadline: d.reportBy,
        });
  }
  // A milestone's problem is named by its place (the register keeps the region, not the desk).
  const regionOf = new Map((problems?.open ?? []).map((p) => [p.id, p.region]));
  for (const m of problems?.overdue ?? [])
    out.push({
      kind: '整改逾期',
      desk: regionOf.has(m.problemId) ? place(regionOf.get(m.problemId)!) : '—',
      department: departmentName(m.ownerDepartment),
      item: `${mask(m.title)}：${mask(m.milestone)}`,
      deadline: m.deadline,
    });
  return out.sort((a, b) => a.deadline - b.deadline).slice(0, LIST_CAP);
}

function maskProblems(p: ProblemFigures | null, mask: (s: string) => string): ProblemFigures | null {
  if (!p) return null;
  return {
    ...p,
    struckOff: p.struckOff.map((x) => ({ ...x, title: mask(x.title) })),
    open: p.open.map((x) => ({ ...x, title: mask(x.title) })),
    overdue: p.overdue.map((x) => ({ ...x, title: mask(x.title), milestone: mask(x.milestone) })),
  };
}

/** The 通报 of `code` for `month` (`YYYYMM`); `publicMode` masks names and numbers in free text. */
export async function monthlyReport(
  deps: ReportDeps,
  code: string,
  month: string,
  publicMode: boolean,
): Promise<MonthlyReport> {
  const mask = publicMode ? maskText : (s: string) => s;
  const place = placeName(deps.tree);
  const current = month === currentMonth(deps.now());
  const [m, coverage, counts, index, filling] = await Promise.all([
    deps.assessment.month(code, month),
    coverageOf(deps, month),
    headlineCounts(deps, code, month),
    indexRows(deps, code, month),
    !current && deps.assessment.filling(month),
  ]);
  const alerts = Object.fromEntries(WARNING_LEVELS.map((l) => [l, 0])) as Record<WarningLevel, number>;
  for (const j of m.judged) alerts[j.alert.level]++;
  const now = deps.now();
  const problems = maskProblems(m.problems, mask);
  // The register names owners by registry id; the 通报 names them as people know them.
  const names = new Map(m.reply.departments.map((d) => [d.id, d.name]));
  return {
    region: deps.tree.get(code)!,
    month: toWire(month),
    provisional: current || filling,
    filling,
    generatedAt: now,
    coverage,
    hasData: coverage.covered.length > 0 || counts.incidents + counts.disputes > 0 || m.judged.length > 0,
    headline: { ...counts, alerts, index: index.own },
    index: index.rows,
    assessment: m.reply,
    redAlerts: redAlerts(m.judged, place, mask),
    problems,
    overdue: overdueRows(m.judged, problems, place, mask, Math.min(now, monthEnd(month)), (d) => names.get(d) ?? d),
  };
}
