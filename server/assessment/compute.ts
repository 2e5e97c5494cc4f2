/**
 * One region's 督办考核 of one month, computed: the rows of its child desks and of its departments,
 * and its own row, from the month's alerts, the month counters (disputes), the 上报及时率 counters
 * and the problem register. The nation's own row sums its provinces' counters; its desks are the
 * provinces, ranked against each other. Pure reading: freezing is the caller's (service.ts).
 */
import type { RedisClient } from '../redis/connection.ts';
import { CHILDREN_LABELS, levelOf, type RegionRef } from '../../shared/regions.ts';
import {
  DEPARTMENT_FIGURES,
  DESK_FIGURES,
  MIN_RANKED_DENOMINATOR,
  type AssessmentReply,
  type DepartmentRow,
  type DeskRow,
  type Figure,
  type ChildDepartmentsRow,
} from '../../shared/schemas/assessment.ts';
import type { Department } from '../../shared/schemas/department.ts';
import { regionOfId } from '../departments/registry.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import { DISPUTES, outcomeField } from '../counters/fields.ts';
import { counterParts, readCounterSums } from '../counters/read.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { AlertRecord } from './alert-records.ts';
import { count, emptyTally, judgeAlert, type AlertVerdicts, type Tally } from './alert-verdicts.ts';
import type { ProblemFigures, ProblemSource } from './problem-source.ts';
import { figure, rankFigure } from './rank.ts';
import { readTimelinessMany } from './report-timeliness.ts';
import { toWire } from '../safety-index/months.ts';

export interface ComputeDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring: each region's counters under its province's keys. */
  keys: Keys | KeyRing;
  /** Time from creation to 办结 of an alert of this level (rules file `resolveMinutes`). */
  resolveLimitMs: (level: WarningLevel) => number;
  problems?: ProblemSource;
}

export interface Judged {
  alert: AlertRecord;
  verdicts: AlertVerdicts;
}

/** What one computation produced: the reply, and what the 通报 lists beside it. */
export interface MonthAssessment {
  reply: AssessmentReply;
  judged: Judged[];
  /** The region's own problem figures (null without a register). */
  problems: ProblemFigures | null;
}

const RESOLVED = outcomeField('resolved');
const FAILED = outcomeField('failed');

interface DeskTallies {
  sign: Tally;
  resolve: Tally;
  supervision: Tally;
}

const deskTallies = (): DeskTallies => ({ sign: emptyTally(), resolve: emptyTally(), supervision: emptyTally() });
const fig = (t: Tally): Figure => figure(t.num, t.den);

/** Dispute outcomes of several regions' month (the nation's summed from its provinces'), in one read per slot. */
async function disputeCounts(
  deps: ComputeDeps,
  codes: readonly string[],
  month: string,
): Promise<Map<string, { d: number; resolved: number; failed: number }>> {
  const sums = await readCounterSums(deps.redis, deps.keys, codes, { month });
  const out = new Map<string, { d: number; resolved: number; failed: number }>();
  for (const [c, h] of sums)
    out.set(c, { d: Number(h[DISPUTES] ?? 0), resolved: Number(h[RESOLVED] ?? 0), failed: Number(h[FAILED] ?? 0) });
  return out;
}

async function problemsOf(deps: ComputeDeps, codes: readonly string[], month: string) {
  const out = new Map<string, ProblemFigures>();
  if (!deps.problems) return out;
  const source = deps.problems;
  await Promise.all(codes.map(async (c) => out.set(c, await source(c, toWire(month)))));
  return out;
}

/**
 * The children's departments, each child's summed over every department of its area (any level
 * below it) that was dispatched to, ranked among the children.
 */
function childDepartments(
  children: readonly RegionRef[],
  tallies: ReadonlyMap<string, { checkin: Tally; feedback: Tally }>,
): ChildDepartmentsRow[] {
  const sums = new Map(children.map((c) => [c.code, { n: 0, checkin: emptyTally(), feedback: emptyTally() }]));
  for (const [id, t] of tallies) {
    const region = regionOfId(id);
    const child = region === undefined ? undefined : children.find((c) => region.startsWith(c.code));
    const s = child && sums.get(child.code);
    if (!s) continue;
    s.n++;
    for (const k of ['checkin', 'feedback'] as const) {
      s[k].num += t[k].num;
      s[k].den += t[k].den;
    }
  }
  const rows = children.map((p) => {
    const s = sums.get(p.code)!;
    return {
      code: p.code,
      name: p.name,
      departments: s.n,
      figures: { checkinOnTime: fig(s.checkin), feedbackRate: fig(s.feedback) },
    };
  });
  for (const f of DEPARTMENT_FIGURES) rankFigure(rows.map((r) => r.figures[f]));
  return rows;
}

/**
 * The assessment of `region` for `month` (`YYYYMM`) at `now`, from `alerts`: the alerts created
 * in the month in the region's subtree (a caller freezing many regions reads them once).
 */
export async function computeAssessment(
  deps: ComputeDeps,
  o: {
    region: RegionRef;
    children: readonly RegionRef[];
    departments: readonly Department[];
    month: string;
    now: number;
    provisional: boolean;
    alerts: readonly AlertRecord[];
  },
): Promise<MonthAssessment> {
  const { region, children, month, now } = o;
  const judged: Judged[] = o.alerts.map((alert) => ({
    alert,
    verdicts: judgeAlert(alert, now, deps.resolveLimitMs(alert.level)),
  }));

  const desks = new Map<string, DeskTallies>([
    [region.code, deskTallies()],
    ...children.map((c) => [c.code, deskTallies()] as const),
  ]);
  const deps_ = new Map<string, { checkin: Tally; feedback: Tally }>();
  for (const { alert, verdicts } of judged) {
    const child = children.find((c) => alert.region.startsWith(c.code));
    for (const code of child ? [region.code, child.code] : [region.code]) {
      const t = desks.get(code)!;
      count(t.sign, verdicts.sign);
      count(t.resolve, verdicts.resolve);
      count(t.supervision, verdicts.supervision);
    }
    for (const d of verdicts.departments) {
      let t = deps_.get(d.id);
      if (!t) deps_.set(d.id, (t = { checkin: emptyTally(), feedback: emptyTally() }));
      count(t.checkin, d.checkin);
      count(t.feedback, d.feedback);
    }
  }

  const codes = [region.code, ...children.map((c) => c.code)];
  const ring = asKeyRing(deps.keys);
  // 上报及时率 is counted down to townships; a village's row has none.
  const withTimeliness = codes.filter((c) => c.length <= 9);
  const [disputes, timeliness, problems] = await Promise.all([
    disputeCounts(deps, codes, month),
    readTimelinessMany(
      deps.redis,
      (r) => ring.of(r),
      withTimeliness.map((c) => counterParts(ring, c)),
      month,
    ),
    problemsOf(deps, codes, month),
  ]);
  const timelinessOf = new Map(withTimeliness.map((c, i) => [c, timeliness[i]!]));

  const deskRow = (r: RegionRef): DeskRow => {
    const t = desks.get(r.code)!;
    const d = disputes.get(r.code)!;
    const tl = timelinessOf.get(r.code);
    const p = problems.get(r.code);
    return {
      code: r.code,
      name: r.name,
      figures: {
        signOnTime: fig(t.sign),
        resolveOnTime: fig(t.resolve),
        disputeResolution: figure(Math.min(d.resolved, d.d), d.d),
        mediationSuccess: figure(d.resolved, d.resolved + d.failed),
        reportOnTime: tl ? figure(tl.onTime, tl.reports + tl.silences) : null,
        supervisionOnTime: fig(t.supervision),
        problemsClosed: p ? figure(p.struckOff.length, p.struckOff.length + p.open.length) : null,
        milestonesOnTime: p ? figure(p.milestonesOnTime, p.milestonesDue) : null,
      },
    };
  };

  const own = deskRow(region);
  const deskRows = children.map(deskRow);
  for (const f of DESK_FIGURES) rankFigure(deskRows.map((r) => r.figures[f]));
  // An own row is ranked among nobody: its ranks stay null.

  const ownProblems = problems.get(region.code) ?? null;
  const departmentRows: DepartmentRow[] = o.departments.map((d) => {
    const t = deps_.get(d.id);
    return {
      id: d.id,
      name: d.name,
      ...(d.kind ? { kind: d.kind } : {}),
      figures: {
        checkinOnTime: fig(t?.checkin ?? emptyTally()),
        feedbackRate: fig(t?.feedback ?? emptyTally()),
      },
      milestonesOverdue: ownProblems
        ? ownProblems.overdue.filter((m) => m.ownerDepartment === d.id || m.ownerDepartment === d.name).length
        : null,
    };
  });
  for (const f of DEPARTMENT_FIGURES) rankFigure(departmentRows.map((r) => r.figures[f]));
  // A township's children are villages, which have no departments.
  const byChild = CHILDREN_LABELS[levelOf(region.code)!] ? childDepartments(children, deps_) : undefined;

  return {
    reply: {
      region: { code: region.code, name: region.name, level: levelOf(region.code)! },
      month: toWire(month),
      provisional: o.provisional,
      asOf: isoBeijing(now),
      own,
      desks: deskRows,
      departments: departmentRows,
      ...(byChild ? { departmentsByChild: byChild } : {}),
      problemRegister: deps.problems !== undefined,
      minRankedDenominator: MIN_RANKED_DENOMINATOR,
    },
    judged,
    problems: ownProblems,
  };
}
