/**
 * The preset dictionary a frozen 督办考核 reply is deflated against (store.ts). A reply is ≈ 9 KB
 * of JSON that deflates to ≈ 960 B on its own: most of those bytes are the first time each figure,
 * row and department appears, which a dictionary of the reply's shape already holds.
 *
 * Stored data: every reply frozen with it needs these exact bytes to be read back for the 13
 * months it is kept. So it is written out here as it was on 2026-12-06 and never derived from the
 * schema or the department defaults, which may change; a new shape needs a new dictionary and
 * mark (server/redis/deflated.ts), not an edit of this one.
 */
const DESK_FIGURES = [
  'signOnTime',
  'resolveOnTime',
  'disputeResolution',
  'mediationSuccess',
  'reportOnTime',
  'supervisionOnTime',
  'problemsClosed',
  'milestonesOnTime',
];
const DEPARTMENT_FIGURES = ['checkinOnTime', 'feedbackRate'];
const COUNTY_DEPARTMENTS = [
  ['police', '公安局'],
  ['justice', '司法局'],
  ['petition', '信访局'],
  ['hrss', '人社局'],
  ['housing', '住建局'],
  ['land', '自然资源局'],
  ['health', '卫健局'],
  ['court', '法院'],
  ['women', '妇联'],
  ['civil', '民政局'],
  ['education', '教育局'],
  ['market', '市场监管局'],
  ['agri', '农业农村局'],
];
const TOWNSHIP_DEPARTMENTS = [
  ['township', '乡镇（街道）'],
  ['police', '派出所'],
  ['justice', '司法所'],
  ['grid', '综治中心'],
  ['land', '自然资源所'],
  ['health', '卫生院'],
  ['court', '人民法庭'],
  ['women', '妇联'],
];

const zero = { num: 0, den: 0, rate: null, rank: null };
const some = { num: 17, den: 23, rate: 0.7391304347826086, rank: 1 };
const figures = (names: string[], f: (name: string, i: number) => unknown) =>
  Object.fromEntries(names.map((n, i) => [n, f(n, i)]));
const desk = (code: string, name: string, village: boolean) => ({
  code,
  name,
  figures: figures(DESK_FIGURES, (n, i) => (village && n === 'reportOnTime' ? null : i % 3 ? zero : some)),
});
const departments = (region: string, list: string[][]) =>
  list.map(([kind, name], i) => ({
    id: `dep-${region}-${kind}`,
    name,
    kind,
    figures: figures(DEPARTMENT_FIGURES, () => (i % 2 ? zero : some)),
    milestonesOverdue: 0,
  }));

/** A frozen reply of `code`, in the stored key order; `byChild` only down to the county. */
const reply = (
  [code, name, level]: [string, string, string],
  desks: ReturnType<typeof desk>[],
  list: string[][],
  byChild?: unknown[],
) => ({
  region: { code, name, level },
  month: '2026-11',
  provisional: false,
  asOf: '2026-12-01T00:05:00.000+08:00',
  own: desk(code, name, false),
  desks,
  departments: departments(code, list),
  ...(byChild ? { departmentsByChild: byChild } : {}),
  problemRegister: true,
  minRankedDenominator: 5,
});

const county = reply(
  ['620702', '甘州区', 'county'],
  [desk('620702001', '东街街道', false), desk('620702100', '梁家墩镇', false)],
  COUNTY_DEPARTMENTS,
  [{ code: '620702001', name: '东街街道', departments: 8, figures: figures(DEPARTMENT_FIGURES, () => some) }],
);
const township = reply(
  ['620702100', '梁家墩镇', 'township'],
  [desk('620702100201', '村民委员会', true), desk('620702100001', '社区居民委员会', true)],
  TOWNSHIP_DEPARTMENTS,
);

/** The most frequent shape last: deflate reaches back from the end of a dictionary most cheaply. */
export const REPLY_DICTIONARY = Buffer.from(JSON.stringify(county) + JSON.stringify(township));
