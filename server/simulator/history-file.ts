/**
 * History as a file: the simulator's cases of [from, to) written as NDJSON lines of the ingest
 * contract, in delivery order, for `npm run import` (server/import/). The same planning as the
 * backfill (window.ts: an hour per window, each from a seed derived from the file's seed), so a
 * file is a pure function of (seed, from, to, rates, region data); steps due after `to` are left
 * out: those cases are still open at the file's end, as they would be live.
 *
 * Ids carry their own prefix (`simh-<n>` instead of `sim-<n>`): the live simulator reserves its
 * case numbers in Redis, and a file's numbers are not reserved there, so the two must never meet.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Rates } from './generate.ts';
import { derive } from './prng.ts';
import { PendingQueue } from './queue.ts';
import { casesIn, planWindow, windowEvents, type WindowRecord } from './window.ts';
import type { World } from './world.ts';

const HOUR = 3_600_000;
/** Steps waiting for their delivery time: a month of open lifecycles at most, far below this. */
const QUEUE_CAP = 5_000_000;

export interface HistoryFileSpec {
  world: World;
  rates: Rates;
  seed: number;
  from: number;
  to: number;
  out: string;
  /** Called after each simulated day with the totals so far (progress on long files). */
  onDay?: (totals: HistoryFileTotals) => void;
}

export interface HistoryFileTotals {
  cases: number;
  events: number;
  bytes: number;
}

/** `sim-12-3` → `simh-12-3`: the file's own id space (see above). */
const ownId = (id: string) => 'simh-' + id.slice(4);

export async function writeHistoryFile(spec: HistoryFileSpec): Promise<HistoryFileTotals> {
  const out = createWriteStream(spec.out);
  const queue = new PendingQueue(QUEUE_CAP);
  const totals: HistoryFileTotals = { cases: 0, events: 0, bytes: 0 };
  let pending = '';
  const write = async (force: boolean) => {
    if (!pending || (!force && pending.length < 1 << 20)) return;
    totals.bytes += Buffer.byteLength(pending);
    const ok = out.write(pending);
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const release = async (until: number) => {
    for (const o of queue.popDue(until)) {
      const e = o.event;
      pending += JSON.stringify({ ...e, id: ownId(e.id), caseId: ownId(e.caseId) }) + '\n';
      totals.events++;
      await write(false);
    }
  };
  let seq = 1;
  for (let h = 0, from = spec.from; from < spec.to; h++, from += HOUR) {
    const to = Math.min(from + HOUR, spec.to);
    const windowSpec = { seed: derive(spec.seed, h), from, to, rates: spec.rates };
    const { arrivals, planned } = planWindow(spec.world, windowSpec);
    const cases = casesIn(planned);
    const window: WindowRecord = { ...windowSpec, seq, arrivals, cases, anchor: 0, speed: 1 };
    seq += cases;
    totals.cases += cases;
    for (const a of windowEvents(window, planned)) for (const steps of a.cases) queue.pushAll(steps);
    if (queue.dropped) throw new Error('history file: too many pending steps');
    await release(to);
    if (h % 24 === 23) spec.onDay?.(totals);
  }
  await release(spec.to);
  await write(true);
  out.end();
  await once(out, 'finish');
  return totals;
}
