import { currentMonth, monthStart } from '../safety-index/months.ts';
import { shiftMonth } from '../time/beijing.ts';
import type { Problems } from './service.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** One demo problem: registered `daysAgo`, deadlines in days from now, and how far it has been worked. */
interface DemoProblem {
  region: string;
  desk: string;
  title: string;
  description: string;
  lead: string;
  partners: string[];
  daysAgo: number;
  milestones: { title: string; inDays: number; weight: number; owner?: string }[];
  /** Milestones (1-based) done by their owner, and those of them then verified. */
  done: number[];
  verified: number[];
}

const DEMO: DemoProblem[] = [
  {
    region: '620702103',
    desk: '620702',
    title: '某村土地承包纠纷积案',
    description: '二轮延包遗留地块界址不清，涉及 37 户，近两年多次到县、市信访。',
    lead: 'dep-620702-land',
    partners: ['dep-620702-justice', 'dep-620702-petition'],
    daysAgo: 20,
    milestones: [
      { title: '入户摸排，核清确权底数', inDays: -10, weight: 1 },
      { title: '组织司法所联合调解', inDays: -2, weight: 1, owner: 'dep-620702-justice' },
      { title: '兑现调整地块补偿', inDays: 15, weight: 1 },
    ],
    done: [1],
    verified: [1],
  },
  {
    region: '620102',
    desk: '6201',
    title: '校园周边治安乱点整治',
    description: '三所中小学周边放学时段聚集滋事、无证摊点占道，家长反映强烈。',
    lead: 'dep-620102-police',
    partners: ['dep-620102-education', 'dep-620102-market'],
    daysAgo: 6,
    milestones: [
      { title: '增设护学岗，高峰时段巡逻', inDays: 10, weight: 2 },
      { title: '清理无证摊点', inDays: 20, weight: 1, owner: 'dep-620102-market' },
      { title: '校门口补装视频监控', inDays: 25, weight: 1, owner: 'dep-620102-education' },
    ],
    done: [1],
    verified: [],
  },
  {
    region: '620502',
    desk: '620502',
    title: '某小区物业纠纷群体信访',
    description: '物业撤场后供暖停供，业主多次集体上访；已由住建局牵头完成交接。',
    lead: 'dep-620502-housing',
    partners: ['dep-620502-petition'],
    daysAgo: 3,
    milestones: [
      { title: '协调临时物业接管', inDays: 5, weight: 1 },
      { title: '恢复供暖并公示收费', inDays: 9, weight: 1 },
    ],
    done: [1, 2],
    verified: [1, 2],
  },
];

/**
 * Problems of the last complete month, for its 通报 (the simulator backfills that month's cases):
 * times in days from the month's 1st, 00:00 Beijing. One struck off within the month, one worked
 * down a star and left with a milestone overdue at the month's end (named in the 通报).
 */
interface PastProblem extends Omit<DemoProblem, 'daysAgo' | 'milestones' | 'done' | 'verified'> {
  day: number;
  milestones: { title: string; day: number; weight: number; owner?: string; done?: number; verified?: number }[];
}

const LAST_MONTH: PastProblem[] = [
  {
    region: '620402',
    desk: '620402',
    title: '城区夜市噪音扰民反复投诉',
    description: '夜市延时经营、音响外放，周边三个小区居民一月内反复投诉 40 余次。',
    lead: 'dep-620402-market',
    partners: ['dep-620402-police'],
    day: 2,
    milestones: [
      { title: '划定经营时段和区域', day: 9, weight: 1, done: 7, verified: 8 },
      { title: '安装噪音监测并公示', day: 20, weight: 1, owner: 'dep-620402-police', done: 16, verified: 18 },
    ],
  },
  {
    region: '620902',
    desk: '6209',
    title: '农民工工资拖欠集中反映',
    description: '两个在建项目拖欠 120 余名农民工工资，已有多人到市信访局反映。',
    lead: 'dep-620902-hrss',
    partners: ['dep-620902-petition', 'dep-620902-housing'],
    day: 6,
    milestones: [
      { title: '核实欠薪台账，督促总包垫付', day: 15, weight: 2, done: 13, verified: 14 },
      { title: '启动欠薪保障金兑付', day: 25, weight: 1 },
    ],
  },
];

async function seedLastMonth(problems: Problems): Promise<number> {
  const start = monthStart(shiftMonth(currentMonth(problems.now()), -1));
  const at = (day: number) => start + day * DAY + 9 * HOUR;
  let n = 0;
  for (const d of LAST_MONTH) {
    const r = await problems.register(
      {
        region: d.region,
        desk: d.desk,
        title: d.title,
        description: d.description,
        stars: d.milestones.reduce((s, m) => s + m.weight, 0),
        lead: d.lead,
        partners: d.partners,
        milestones: d.milestones.map((m) => ({
          title: m.title,
          deadline: at(m.day) + 9 * HOUR,
          weight: m.weight,
          ...(m.owner ? { owner: m.owner } : {}),
        })),
        alerts: [],
        by: 'demo',
      },
      at(d.day),
    );
    if (!r.ok) throw new Error(`demo problem ${d.title}: ${r.field} ${r.id}`);
    n++;
    // Steps in the order they were taken, each at its day.
    const steps = d.milestones.flatMap((m, i) => [
      ...(m.done === undefined
        ? []
        : [{ day: m.done, step: { kind: 'done' as const, n: i + 1, department: r.problem.milestones[i]!.owner.id } }]),
      ...(m.verified === undefined ? [] : [{ day: m.verified, step: { kind: 'verify' as const, n: i + 1 } }]),
    ]);
    steps.sort((a, b) => a.day - b.day);
    for (const { day, step } of steps) {
      const s =
        step.kind === 'done'
          ? await problems.step(r.problem.id, { ...step, evidence: '已按要求完成，附现场照片', by: 'demo' }, at(day))
          : await problems.step(r.problem.id, { ...step, by: 'demo' }, at(day));
      if (!s.ok) throw new Error(`demo problem ${d.title}: ${step.kind} ${step.n} refused`);
    }
  }
  return n;
}

/**
 * The embedded demo's 重点问题 (Gansu), so the wall's panel is not empty: one worked down a star
 * and overdue on another, one just started, one struck off this month; and two of last month. Deterministic text and
 * shape, times relative to the first start; registered once (skipped when the register has any
 * problem), through the same service as a desk.
 */
export async function seedDemoProblems(problems: Problems): Promise<number> {
  if ((await problems.store.ids('62', 'all', 1)).length) return 0;
  const now = problems.now();
  let n = await seedLastMonth(problems);
  for (const d of DEMO) {
    const r = await problems.register(
      {
        region: d.region,
        desk: d.desk,
        title: d.title,
        description: d.description,
        stars: d.milestones.reduce((s, m) => s + m.weight, 0),
        lead: d.lead,
        partners: d.partners,
        milestones: d.milestones.map((m) => ({
          title: m.title,
          deadline: now + m.inDays * DAY,
          weight: m.weight,
          ...(m.owner ? { owner: m.owner } : {}),
        })),
        alerts: [],
        by: 'demo',
      },
      now - d.daysAgo * DAY,
    );
    if (!r.ok) throw new Error(`demo problem ${d.title}: ${r.field} ${r.id}`);
    n++;
    for (const k of d.done) {
      const owner = r.problem.milestones[k - 1]!.owner.id;
      await problems.step(r.problem.id, {
        kind: 'done',
        n: k,
        department: owner,
        evidence: '已按要求完成，附现场照片',
        by: 'demo',
      });
    }
    for (const k of d.verified) await problems.step(r.problem.id, { kind: 'verify', n: k, by: 'demo' });
  }
  return n;
}
