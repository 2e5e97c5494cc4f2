import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import { publish } from '../redis/pubsub.ts';
import { ancestry } from '../../shared/regions.ts';
import type { ProblemDigest, ProblemHistoryEntry, ProblemView } from '../../shared/schemas/problem.ts';
import type { RegionRef } from '../../shared/regions.ts';
import type { AuditLog } from '../audit/log.ts';
import type { Clock } from '../clock.ts';
import type { DepartmentRegistry } from '../departments/registry.ts';
import { publishNotice } from '../notices.ts';
import type { Keys } from '../redis/keys.ts';
import { currentMonth, monthStart } from '../safety-index/months.ts';
import type { StoredEntry, StoredProblem } from './model.ts';
import { applyStep, type Step, type StepRefusal } from './steps.ts';
import { ProblemStore } from './store.ts';
import { digestOf, toHistory, toView } from './view.ts';

/** The most a list returns. */
export const PROBLEM_LIST_CAP = 500;
/** Open problems a snapshot reads for its lists (the totals are exact whatever this is). */
const DIGEST_READ_CAP = 200;
/** Attempts of a step that lost a race to another writer before giving up. */
const ATTEMPTS = 8;

export interface RegisterInput {
  region: string;
  /** The registrant's home region: the level that verifies and raises stars. */
  desk: string;
  title: string;
  description: string;
  stars: number;
  lead: string;
  partners: string[];
  milestones: { title: string; deadline: number; weight: number; owner?: string }[];
  alerts: string[];
  by: string;
}

export type RegisterResult =
  { ok: true; problem: ProblemView } | { ok: false; reason: 'unknown_department'; field: string; id: string };

export type StepResult =
  | { ok: true; problem: ProblemView }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'busy' }
  | ({ ok: false; problem: ProblemView } & StepRefusal);

export interface Problems {
  readonly store: ProblemStore;
  now(): number;
  register(input: RegisterInput, at?: number): Promise<RegisterResult>;
  /** The problem as stored (for the routes' checks) and as shown. */
  get(id: string): Promise<StoredProblem | undefined>;
  view(p: StoredProblem): ProblemView;
  history(id: string): Promise<ProblemHistoryEntry[]>;
  /**
   * One step, retried on a fresh read when another writer changed the problem first. `at`: when it
   * was taken, for the demo's history only (seeded months back); never earlier than the last step.
   */
  step(id: string, step: Step, at?: number): Promise<StepResult>;
  list(region: string, state: 'open' | 'closed' | 'overdue' | 'all', cap?: number): Promise<ProblemView[]>;
  forDepartment(department: string, cap?: number): Promise<ProblemView[]>;
  supervisedBy(region: string, cap?: number): Promise<ProblemView[]>;
  /** The snapshot's `problems` and each child's open stars. */
  digest(
    code: string,
    children: readonly RegionRef[],
  ): Promise<{ digest: ProblemDigest; byChild: Map<string, { open: number; stars: number }> }>;
  /** Flags overdue milestones whose deadline has passed; how many it flagged. */
  flagOverdue(): Promise<number>;
}

/** Short, sortable, unguessable enough to show on a console: `pr-m3k2x9qa-7f3a1c`. */
export function newProblemId(now: number): string {
  return `pr-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * The problem register (降星销号): registration against the department registry, steps through
 * the pure step function with a version-checked commit, the audit chain, and the notices that
 * move the screens — the problem itself on its channel (the `problem` socket event) and a change
 * notice for its region and ancestors, so every wall above it reads its digest again.
 */
export function createProblems(deps: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  departments: Pick<DepartmentRegistry, 'callable'>;
  audit?: Pick<AuditLog, 'append'>;
}): Problems {
  const store = new ProblemStore(deps.redis, deps.keys.problems);
  const now = () => deps.clock.now();

  async function tell(p: StoredProblem, entries: StoredEntry[]): Promise<void> {
    for (const e of entries)
      await deps.audit?.append({
        actor: e.by,
        action: `problem.${e.action}`,
        target: p.id,
        region: p.region,
        detail: {
          stars: e.stars,
          ...(e.n ? { milestone: e.n } : {}),
          ...(e.text ? { text: e.text.slice(0, 200) } : {}),
        },
      });
    // Store before push: the problem is committed, so a snapshot read after this has it.
    await publish(deps.redis, deps.keys.problems.channel, JSON.stringify(toView(p, now())));
    await publishNotice(deps.redis, deps.keys, { touched: ancestry(p.region), events: [], parts: ['problems'] });
  }

  async function views(ids: string[]): Promise<ProblemView[]> {
    const t = now();
    return (await store.readMany(ids)).map((p) => toView(p, t));
  }

  return {
    store,
    now,
    async register(input, at = now()) {
      const callable = new Map((await deps.departments.callable(input.region)).map((d) => [d.id, d]));
      const named = (id: string, field: string) => {
        const d = callable.get(id);
        return d ? { ok: true as const, d: { id: d.id, name: d.name } } : { ok: false as const, field, id };
      };
      const lead = named(input.lead, 'lead');
      if (!lead.ok) return { ok: false, reason: 'unknown_department', field: lead.field, id: lead.id };
      const partners: { id: string; name: string }[] = [];
      for (const [i, id] of input.partners.entries()) {
        const r = named(id, `partners.${i}`);
        if (!r.ok) return { ok: false, reason: 'unknown_department', field: r.field, id: r.id };
        partners.push(r.d);
      }
      const milestones: StoredProblem['milestones'] = [];
      for (const [i, m] of input.milestones.entries()) {
        const r = m.owner ? named(m.owner, `milestones.${i}.owner`) : lead;
        if (!r.ok) return { ok: false, reason: 'unknown_department', field: r.field, id: r.id };
        milestones.push({
          n: i + 1,
          title: m.title,
          deadline: m.deadline,
          weight: m.weight,
          owner: r.d,
          state: 'open',
        });
      }
      const p: StoredProblem = {
        id: newProblemId(at),
        region: input.region,
        desk: input.desk,
        title: input.title,
        description: input.description,
        stars: input.stars,
        starsAtStart: input.stars,
        state: 'open',
        lead: lead.d,
        partners,
        milestones,
        alerts: input.alerts,
        createdAt: at,
        createdBy: input.by,
        updatedAt: at,
      };
      const entry: StoredEntry = { at, by: input.by, action: 'register', stars: p.stars, text: p.title };
      if (!(await store.commit(undefined, '', p, [entry]))) throw new Error(`problem id ${p.id} taken`);
      await tell(p, [entry]);
      return { ok: true, problem: toView(p, now()) };
    },
    async get(id) {
      return (await store.read(id))?.problem;
    },
    view: (p) => toView(p, now()),
    async history(id) {
      return (await store.history(id)).map(toHistory);
    },
    async step(id, step, at) {
      for (let i = 0; i < ATTEMPTS; i++) {
        const read = await store.read(id);
        if (!read) return { ok: false, reason: 'not_found' };
        const t = at === undefined ? now() : Math.max(at, read.problem.updatedAt);
        const r = applyStep(read.problem, step, t);
        if (!r.ok) {
          const { ok: _ok, ...refusal } = r;
          return { ok: false, problem: toView(read.problem, t), ...refusal };
        }
        if (await store.commit(read.problem, read.version, r.problem, r.entries)) {
          await tell(r.problem, r.entries);
          return { ok: true, problem: toView(r.problem, now()) };
        }
      }
      return { ok: false, reason: 'busy' };
    },
    async list(region, state, cap = PROBLEM_LIST_CAP) {
      const bucket = state === 'overdue' ? 'open' : state;
      const list = await views(await store.ids(region, bucket, cap));
      return state === 'overdue' ? list.filter((p) => p.overdue) : list;
    },
    async forDepartment(department, cap = PROBLEM_LIST_CAP) {
      return views(await store.departmentIds(department, cap));
    },
    async supervisedBy(region, cap = PROBLEM_LIST_CAP) {
      return views(await store.supervisedIds(region, cap));
    },
    async digest(code, children) {
      const t = now();
      const from = monthStart(currentMonth(t));
      const [openIds, struckIds, totals] = await Promise.all([
        store.ids(code, 'open', DIGEST_READ_CAP),
        store.idsBetween(code, 'closed', from, Number.MAX_SAFE_INTEGER),
        store.starsOf([code, ...children.map((c) => c.code)]),
      ]);
      const [open, struck] = await Promise.all([
        store.readMany(openIds),
        store.readMany(struckIds.slice(-8).reverse()),
      ]);
      const own = totals.get(code) ?? { open: 0, stars: 0 };
      totals.delete(code);
      return { digest: digestOf(open, own, struck, struckIds.length, t), byChild: totals };
    },
    async flagOverdue() {
      let flagged = 0;
      for (const [id, n, deadline] of await store.due(now())) {
        // Dated by the deadline it marks, not by the sweep that noticed it: a problem worked
        // through its past (the demo's, registered then stepped at its own times) keeps those
        // times when a sweep flags it in between.
        const r = await this.step(id, { kind: 'overdue', n }, deadline);
        if (r.ok) flagged++;
        // Done, verified or struck off meanwhile, or gone: nothing to flag, and never again.
        else if (r.reason !== 'busy') await store.dropDue(id, n);
      }
      return flagged;
    },
  };
}
