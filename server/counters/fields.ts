/**
 * The names of the counter fields, as the province, city and county hashes store them and as every
 * reader sees them at any level (a township's combination hash is decoded into the same names:
 * low-level.ts). The one place where `i`, `c:family` or `q:108:i` is spelled.
 *
 * A case counts under its kind (`i` / `d`), its category, channel, status and (disputes) outcome;
 * day hashes also under its hour (`h:<0–23>:<kind>`) and five-minute slot (`q:<0–287>:<kind>`), for
 * the 48 h series and the sliding windows; open hashes also under its overdue flags.
 */

/** The kind of a case as a field (and as the case hash stores it). */
export type KindField = 'i' | 'd';
export const INCIDENTS: KindField = 'i';
export const DISPUTES: KindField = 'd';

export const CATEGORY = 'c:';
export const CHANNEL = 'ch:';
export const STATUS = 's:';
export const OUTCOME = 'o:';
export const HOUR = 'h:';
export const SLOT = 'q:';

/** Open disputes past any SLA deadline; past the dispatch one; past the resolution one. */
export const OVERDUE = 'od';
export const OVERDUE_DISPATCH = 'odd';
export const OVERDUE_RESOLVE = 'odr';

export const categoryField = (category: string) => CATEGORY + category;
export const channelField = (channel: string) => CHANNEL + channel;
export const statusField = (status: string) => STATUS + status;
export const outcomeField = (outcome: string) => OUTCOME + outcome;
/** New cases of one kind in one hour (0–23, Beijing) of the day. */
export const hourField = (hour: number | string, k: KindField | string) => `${HOUR}${hour}:${k}`;
/** New cases of one kind in one five-minute slot (0–287, Beijing) of the day. */
export const slotField = (slot: number | string, k: KindField | string) => `${SLOT}${slot}:${k}`;

const overdueByFlags = new Map<string, string[]>();

/**
 * The overdue fields an open case with these flags counts under (`d` dispatch, `r` resolution).
 * The same array every time: the aggregator asks for every open case it counts.
 */
export function overdueFields(flags: string): readonly string[] {
  let fields = overdueByFlags.get(flags);
  if (!fields) {
    fields = flags ? [OVERDUE] : [];
    if (flags.includes('d')) fields.push(OVERDUE_DISPATCH);
    if (flags.includes('r')) fields.push(OVERDUE_RESOLVE);
    overdueByFlags.set(flags, fields);
  }
  return fields;
}
