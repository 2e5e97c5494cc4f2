import { toWire } from '../../safety-index/months.ts';
import { fromWire } from '../../safety-index/months.ts';
import { HttpError } from '../errors.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { regionParam } from './regions.ts';
import type { principal } from '../authenticate.ts';

/**
 * The `month` of a figures route (`YYYY-MM`, already shaped by the query schema) as `YYYYMM`,
 * within the months kept: a month in the future or older than the counters is refused naming the
 * field, as the schema refuses a malformed one.
 */
export function monthParam(
  wire: string | undefined,
  offered: { oldest: string; current: string },
  fallback: string,
): string {
  const month = wire ? fromWire(wire) : fallback;
  if (month > offered.current)
    throw new HttpError(400, 'bad_request', 'invalid query', {
      errors: [`month: ${toWire(month)} has not begun (the current month is ${toWire(offered.current)})`],
    });
  if (month < offered.oldest)
    throw new HttpError(400, 'bad_request', 'invalid query', {
      errors: [`month: must be within ${toWire(offered.oldest)} … ${toWire(offered.current)}`],
    });
  return month;
}

/** regionParam, its refusal naming the `code` field. */
export function codeParam(tree: RegionTree, code: string, res: Parameters<typeof principal>[0]): string {
  try {
    return regionParam(tree, code, res);
  } catch (err) {
    if (err instanceof HttpError)
      throw new HttpError(err.status, err.code, `code: ${err.message}`, { errors: [`code: ${err.message}`] });
    throw err;
  }
}
