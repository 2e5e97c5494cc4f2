/**
 * The one vocabulary of the system: kinds, categories, statuses, channels, risk markers and
 * severities, each with its Chinese label for the screens. Server and client import these;
 * nothing else may spell them.
 */

export const KINDS = ['incident', 'dispute'] as const;
export type Kind = (typeof KINDS)[number];

export const INCIDENT_CATEGORIES = [
  'criminal',
  'public_order',
  'homicide',
  'fraud',
  'traffic',
  'fire',
  'petition',
] as const;
export const DISPUTE_CATEGORIES = [
  'family',
  'neighbour',
  'land',
  'labour',
  'debt',
  'property',
  'medical',
  'other',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];
export type DisputeCategory = (typeof DISPUTE_CATEGORIES)[number];
export type Category = IncidentCategory | DisputeCategory;
export const CATEGORIES: readonly Category[] = [...INCIDENT_CATEGORIES, ...DISPUTE_CATEGORIES];

/**
 * Lifecycle statuses in the order a case moves through them. The rank (index) is what makes a
 * case's current status independent of arrival order: the status with the highest rank wins,
 * ties broken by the later `occurredAt` (see server/aggregate).
 */
export const INCIDENT_STATUSES = ['reported', 'handling', 'closed'] as const;
export const DISPUTE_STATUSES = ['received', 'dispatched', 'mediating', 'resolved', 'failed', 'verified'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type Status = IncidentStatus | DisputeStatus;

/** Lifecycle rank of a status: resolved and failed share a rank (they are alternative outcomes). */
export const STATUS_RANK: Record<Status, number> = {
  reported: 0,
  handling: 1,
  closed: 2,
  received: 0,
  dispatched: 1,
  mediating: 2,
  resolved: 3,
  failed: 3,
  verified: 4,
};

/** Statuses in which a case still counts in the open backlog. */
export const OPEN_STATUSES: ReadonlySet<Status> = new Set<Status>([
  'reported',
  'handling',
  'received',
  'dispatched',
  'mediating',
]);

export const CHANNELS = ['grid', 'hotline_12345', 'police_110', 'petition', 'court', 'walk_in', 'app'] as const;
export type Channel = (typeof CHANNELS)[number];

export const RISK_MARKERS = [
  'violence_threat',
  'kill_threat',
  'weapon',
  'self_harm',
  'mass_gathering',
  'minor_involved',
  'escalating',
] as const;
export type RiskMarker = (typeof RISK_MARKERS)[number];

/** 1 一般, 2 较大, 3 重大, 4 特别重大 */
export const SEVERITIES = [1, 2, 3, 4] as const;
export type Severity = (typeof SEVERITIES)[number];

export const KIND_LABELS: Record<Kind, string> = { incident: '案事件', dispute: '矛盾纠纷' };

export const CATEGORY_LABELS: Record<Category, string> = {
  criminal: '刑事案件',
  public_order: '治安案件',
  homicide: '命案',
  fraud: '电信诈骗',
  traffic: '交通事故',
  fire: '火灾',
  petition: '信访事件',
  family: '婚姻家庭',
  neighbour: '邻里纠纷',
  land: '土地山林',
  labour: '劳动争议',
  debt: '债务纠纷',
  property: '物业纠纷',
  medical: '医疗纠纷',
  other: '其他纠纷',
};

export const STATUS_LABELS: Record<Status, string> = {
  reported: '已报警',
  handling: '处置中',
  closed: '已结案',
  received: '已受理',
  dispatched: '已分流',
  mediating: '调处中',
  resolved: '已化解',
  failed: '调解失败',
  verified: '已核验',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  grid: '网格上报',
  hotline_12345: '12345热线',
  police_110: '110警情',
  petition: '信访',
  court: '法院',
  walk_in: '来访',
  app: '移动端',
};

export const RISK_MARKER_LABELS: Record<RiskMarker, string> = {
  violence_threat: '暴力倾向',
  kill_threat: '扬言杀人',
  weapon: '持械',
  self_harm: '自伤自杀',
  mass_gathering: '群体聚集',
  minor_involved: '涉未成年人',
  escalating: '矛盾升级',
};

export const SEVERITY_LABELS: Record<Severity, string> = { 1: '一般', 2: '较大', 3: '重大', 4: '特别重大' };

/** National four-colour warning scale: red I 特别严重 … blue IV 一般. */
export const WARNING_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];
export const WARNING_LEVEL_LABELS: Record<WarningLevel, string> = {
  red: '红色预警',
  orange: '橙色预警',
  yellow: '黄色预警',
  blue: '蓝色预警',
};
/** The colours that carry meaning on every screen; nothing else may use them. */
export const WARNING_LEVEL_COLOURS: Record<WarningLevel, string> = {
  red: '#ff3b3b',
  orange: '#ff8c1a',
  yellow: '#ffd21f',
  blue: '#2f8cff',
};

export function isIncidentCategory(c: string): c is IncidentCategory {
  return (INCIDENT_CATEGORIES as readonly string[]).includes(c);
}
export function isDisputeCategory(c: string): c is DisputeCategory {
  return (DISPUTE_CATEGORIES as readonly string[]).includes(c);
}
