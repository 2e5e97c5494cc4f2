import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import { REPLAY_DAYS } from '../../../shared/schemas/replay.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { ReplayUnavailable } from '../../replay/read.ts';
import { HttpError } from '../errors.ts';

const DAY_MS = 86_400_000;

/** A 400 naming the field, as a schema failure would (DESIGN: bad input names its field). */
export function badMoment(field: string, why: string): HttpError {
  return new HttpError(400, 'bad_request', 'invalid query', { errors: [`${field}: ${why}`] });
}

/** Refuses a moment in the future or beyond the replay window; `field` names it in the error. */
export function checkMoment(field: string, at: number, now: number): number {
  if (at > now) throw badMoment(field, `is in the future (now ${isoBeijing(now)})`);
  if (at < now - REPLAY_DAYS * DAY_MS)
    throw badMoment(
      field,
      `is older than the replay window of ${REPLAY_DAYS} days (earliest ${isoBeijing(now - REPLAY_DAYS * DAY_MS)})`,
    );
  return at;
}

/** `GET /snapshot/:code?at=`: the snapshot then, or a 400 naming `at` when there is no record of it. */
export async function replayAt(
  deps: { replay: (code: string, at: number) => Promise<Snapshot | undefined>; now: () => number },
  code: string,
  at: number,
): Promise<Snapshot | undefined> {
  checkMoment('at', at, deps.now());
  try {
    return await deps.replay(code, at);
  } catch (err) {
    if (err instanceof ReplayUnavailable)
      throw badMoment(
        'at',
        err.earliest === undefined
          ? 'no replay record exists yet'
          : `is before the replay record begins (${isoBeijing(err.earliest)})`,
      );
    throw err;
  }
}
