import { EXPORT_ROW_LIMIT } from '../../../shared/schemas/export.ts';
import { HttpError } from '../errors.ts';

/**
 * An export over the row limit is refused whole, saying how many rows it would have had (or, when
 * its source was read only up to the limit, that it has more).
 */
export function tooManyRows(rows: number, capped = false): HttpError {
  const size = capped ? `more than ${EXPORT_ROW_LIMIT}` : String(rows);
  return new HttpError(
    422,
    'too_many_rows',
    `the export would have ${size} rows, over the limit of ${EXPORT_ROW_LIMIT}: narrow the region, the dates or the state`,
    { ...(capped ? {} : { rows }), limit: EXPORT_ROW_LIMIT },
  );
}
