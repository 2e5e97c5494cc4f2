/** The time of a stream entry id (`1732430000000-0`), or undefined for '' and anything else. */
export function streamTime(entryId: string): number | undefined {
  const ms = Number(entryId.split('-')[0]);
  return entryId && Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}
