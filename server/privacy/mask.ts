import type { TickerItem } from '../../shared/events.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { ProblemDigest, ProblemView } from '../../shared/schemas/problem.ts';
import type { CaseItem } from '../../shared/schemas/case.ts';
import type { Changes } from '../../shared/delta.ts';
import { INVISIBLE } from '../../shared/text.ts';

/**
 * Masking for public mode (a wall in a room with visitors): personal names, phone numbers and ID
 * numbers are replaced before text leaves the server. Free text cannot be parsed for names
 * reliably, so the rules lean towards masking too much: a masked word on a visitors' screen costs
 * little, a leaked name costs a lot.
 */

/**
 * The patterns below never see the text as stored: they see a view of it (view.ts below) in
 * which full-width forms are ASCII (NFKC), invisible characters are gone and, in a second pass,
 * separators between digits too, so １３８．１２３４．５６７８ or 138\u200B1234\u200B5678 read as a
 * mobile number. What they find is masked in the stored text itself, whose own full-width
 * punctuation （，：） stays as it was.
 */

/** 18-digit resident ID (last character may be X) and the old 15-digit form. */
const ID_RE = /(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{5})(\d{3}[\dXx]|\d{4})(?![0-9A-Za-z])/dg;

/** Mainland mobiles, also written 138-1234-5678, 138.1234.5678 or 138 1234 5678; optional +86 / 86 in front. */
const MOBILE_RE = /(?<!\d)((?:\+?86[-\s]?)?1[3-9]\d)[-\s.]?(\d{4})[-\s.]?(\d{4})(?!\d)/dg;

/** Landlines with an area code, e.g. 0931-8123456: the area code is not personal, the number is. */
const LANDLINE_RE = /(?<!\d)(0\d{2,3})([-\s]?)(\d{3,4})(\d{4})(?!\d)/dg;

/** Up to three of these between two digits are read as nothing (1 3 8-1234.5678). */
const DIGIT_SEPARATORS = /^[\s\-.·・_]{1,3}$/u;

/**
 * The text as the patterns read it: `text`, and for each of its UTF-16 units the range of the
 * original it came from.
 */
interface View {
  text: string;
  start: number[];
  end: number[];
}

function viewOf(original: string, joinDigits: boolean): View {
  const units: { c: string; start: number; end: number }[] = [];
  let i = 0;
  for (const ch of original) {
    const at = i;
    i += ch.length;
    INVISIBLE.lastIndex = 0;
    if (INVISIBLE.test(ch)) continue;
    for (const c of ch.normalize('NFKC'))
      for (let k = 0; k < c.length; k++) units.push({ c: c[k]!, start: at, end: i });
  }
  let kept = units;
  if (joinDigits) {
    kept = [];
    const isDigit = (u: { c: string } | undefined) => u !== undefined && u.c >= '0' && u.c <= '9';
    for (let j = 0; j < units.length; j++) {
      const u = units[j]!;
      if (!isDigit(u) && isDigit(kept[kept.length - 1])) {
        let k = j;
        while (k < units.length && !isDigit(units[k]) && k - j < 3) k++;
        const gap = units
          .slice(j, k)
          .map((x) => x.c)
          .join('');
        if (isDigit(units[k]) && DIGIT_SEPARATORS.test(gap)) {
          j = k - 1;
          continue;
        }
      }
      kept.push(u);
    }
  }
  return { text: kept.map((u) => u.c).join(''), start: kept.map((u) => u.start), end: kept.map((u) => u.end) };
}

/** A stretch of the view to replace with `stars` asterisks. */
interface Run {
  from: number;
  to: number;
  stars: number;
}

/**
 * Replaces each run found in the view of `original` by `runs`, in the original. A run takes along
 * the invisible or joined characters on both sides of it, so no half-hidden digit is left behind.
 */
function maskRuns(original: string, re: RegExp, joinDigits: boolean, runs: (m: RegExpExecArray) => Run[]): string {
  const view = viewOf(original, joinDigits);
  const spans: { from: number; to: number; stars: number }[] = [];
  for (const m of view.text.matchAll(re)) {
    for (const r of runs(m)) {
      if (r.to <= r.from) continue;
      const from = r.from > 0 ? Math.min(view.end[r.from - 1]!, view.start[r.from]!) : 0;
      const to = r.to < view.text.length ? Math.max(view.start[r.to]!, view.end[r.to - 1]!) : original.length;
      spans.push({ from, to, stars: r.stars });
    }
  }
  if (!spans.length) return original;
  spans.sort((a, b) => a.from - b.from);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.from < at) continue;
    out += original.slice(at, s.from) + '*'.repeat(s.stars);
    at = s.to;
  }
  return out + original.slice(at);
}

/** Indices of group `n` of a match made with the `d` flag. */
const group = (m: RegExpExecArray, n: number): [number, number] => m.indices![n]!;

/** As written, then with separators between digits read as nothing. */
const bothViews = (text: string, re: RegExp, runs: (m: RegExpExecArray) => Run[]) =>
  maskRuns(maskRuns(text, re, false, runs), re, true, runs);

const words = (list: string) => list.split(' ');

/** About 280 common single-character surnames (well over 90 % of the population) and compound ones. */
const SURNAMES_1 =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const SURNAMES_2 = words('欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 宇文 司徒 夏侯 端木');

/**
 * Words after which a name usually follows: roles (村民张三), kinship, conjunctions (与李四) and
 * field labels (姓名：). Punctuation and the start of the text count too.
 */
const BEFORE = words(
  '村民 居民 群众 市民 农民 农民工 务工人员 工人 职工 员工 商户 店主 老板 业主 租户 房东 当事人 报警人 报案人 举报人 反映人 来访人 申请人 被申请人 嫌疑人 犯罪嫌疑人 受害人 被害人 伤者 死者 患者 家属 老人 男子 女子 男孩 女孩 学生 司机 驾驶员 妻子 丈夫 儿子 女儿 父亲 母亲 哥哥 弟弟 姐姐 妹妹 邻居 亲戚 村干部 网格员 民警 调解员 负责人 联系人 姓名 名叫 叫 与 和 及 同 跟 对 向 将 被 把 由',
);
/** Words that usually follow a name: verbs of saying and reporting, particles, conjunctions. */
const AFTER = words(
  '与 和 及 同 跟 称 说 因 在 于 被 将 把 向 对 等 的 系 报警 报案 反映 表示 来访 投诉 举报 拨打 要求 持 扬言 殴打 辱骂 威胁 欠 拖欠 先生 女士 多次 曾 已 前往 驾驶 酒后 醉酒 手持 携带 离家 失联 自称 拒绝 不服 情绪 电话 手机 身份证 联系',
);
const PUNCT = '\\s,.;:!?，。、；：！？（）()【】\\[\\]“”"\'‘’《》<>/|\\-';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alt = (words: string[]) =>
  [...words]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');

/**
 * A given name is one or two Han characters; 某 means the name is already withheld (张某, 张某某).
 * Administrative suffixes never end a name here, so 安宁区 or 宁县 between commas stay places.
 */
const GIVEN = '(?![某省市县区镇乡村州旗盟街路道巷社组])[\\u4e00-\\u9fff]';
const NAME_RE = new RegExp(
  `(?<=^|[${PUNCT}]|${alt(BEFORE)})(${alt(SURNAMES_2)}|[${SURNAMES_1}])(${GIVEN}(?:${GIVEN})?)(?=$|[${PUNCT}]|${alt(AFTER)})`,
  'dgu',
);

export function maskId(text: string): string {
  return bothViews(text, ID_RE, (m) => {
    const [from, to] = group(m, 2);
    return [{ from, to: group(m, 3)[0], stars: to - from }];
  });
}

export function maskPhones(text: string): string {
  const mobiles = bothViews(text, MOBILE_RE, (m) => [{ from: group(m, 1)[1], to: group(m, 3)[0], stars: 4 }]);
  return bothViews(mobiles, LANDLINE_RE, (m) => {
    const [from, to] = group(m, 3);
    return [{ from, to: group(m, 4)[0], stars: to - from }];
  });
}

/** 张三丰 → 张**, 李四 → 李*; 张某某 and 张某 are already anonymous and stay. */
export function maskNames(text: string): string {
  return maskRuns(text, NAME_RE, false, (m) => {
    const [from, to] = group(m, 2);
    return [{ from, to, stars: [...m[2]!].length }];
  });
}

/** Every rule, IDs first (an ID number contains runs of digits a phone rule would half-match). */
export function maskText(text: string): string {
  return maskNames(maskPhones(maskId(text)));
}

export function maskTickerItem(item: TickerItem): TickerItem {
  return { ...item, summary: maskText(item.summary) };
}

/** Fields of an alert that name the officers who worked on it (account names may be real names). */
const OFFICER_FIELDS = ['actor', 'signedBy'];
const DEPARTMENT_OFFICER_FIELDS = ['dispatchedBy', 'checkedInBy'];

/** Titles are masked; the officers' account names are dropped, departments stay (they are public bodies). */
export function maskAlert(alert: AlertView): AlertView {
  const out: Record<string, unknown> = { ...alert, title: maskText(alert.title) };
  for (const f of OFFICER_FIELDS) delete out[f];
  if (Array.isArray(out.departments)) {
    out.departments = (out.departments as Record<string, unknown>[]).map((d) => {
      const copy = { ...d };
      for (const f of DEPARTMENT_OFFICER_FIELDS) delete copy[f];
      return copy;
    });
  }
  return out as unknown as AlertView;
}

/** A problem's title, description and evidence are masked; officers' account names dropped, departments stay. */
export function maskProblem(p: ProblemView): ProblemView {
  const { createdBy: _by, ...rest } = p;
  return {
    ...rest,
    createdBy: '',
    title: maskText(p.title),
    description: maskText(p.description),
    milestones: p.milestones.map(({ doneBy: _d, verifiedBy: _v, ...m }) => ({
      ...m,
      title: maskText(m.title),
      ...(m.evidence ? { evidence: maskText(m.evidence) } : {}),
    })),
    ...(p.supervision ? { supervision: { ...p.supervision, by: '' } } : {}),
  };
}

export function maskDigest(d: ProblemDigest): ProblemDigest {
  return {
    ...d,
    top: d.top.map((x) => ({ ...x, title: maskText(x.title) })),
    overdue: d.overdue.map((x) => ({ ...x, title: maskText(x.title), milestone: maskText(x.milestone) })),
    struck: d.struck.map((x) => ({ ...x, title: maskText(x.title) })),
  };
}

/** A case's summary is the text of its earliest event. */
export function maskCase(c: CaseItem): CaseItem {
  return { ...c, summary: maskText(c.summary) };
}

export function maskSnapshot(snapshot: Snapshot): Snapshot {
  const out = { ...snapshot };
  if (snapshot.alerts) out.alerts = snapshot.alerts.map(maskAlert);
  if (snapshot.problems) out.problems = maskDigest(snapshot.problems);
  if (snapshot.cases)
    out.cases = {
      recent: snapshot.cases.recent.map(maskCase),
      openDisputes: snapshot.cases.openDisputes.map(maskCase),
    };
  return out;
}

/** The snapshot paths that carry free text into a delta: a township's or village's case summaries. */
const DELTA_TEXT = /^cases\.(recent|openDisputes)\.\d+\.summary$/;

/** A delta's changes with their free text masked; the same object when there is none. */
export function maskChanges(changes: Changes): Changes {
  let out: Changes | undefined;
  // Every delta of every room passes here: no array of entries per call.
  for (const path in changes) {
    const v = changes[path];
    if (typeof v !== 'string' || !DELTA_TEXT.test(path)) continue;
    out ??= { ...changes };
    out[path] = maskText(v);
  }
  return out ?? changes;
}
