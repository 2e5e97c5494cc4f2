import type { CaseEvent } from '../aggregate/case-state.ts';

/**
 * The cases of an import whose last line is still ahead, with their events so far. A case is
 * handed back, whole, at the end of the chunk its last line falls in (an upper bound from the
 * scan, last-lines.ts), and forgotten: what is held is the cases in progress at the cursor, not
 * the file's.
 */
export class ActiveCases {
  private readonly events = new Map<string, CaseEvent[]>();
  private readonly due = new Map<number, string[]>();

  constructor(private readonly chunkOf: (line: number) => number) {}

  get size(): number {
    return this.events.size;
  }

  /** `last`: a line at or after the case's last line. */
  add(e: CaseEvent, line: number, last: number): void {
    if (last < line) throw new Error(`line ${line}: case ${e.caseId} was not seen by the scan (file changed?)`);
    const list = this.events.get(e.caseId);
    if (list) {
      list.push(e);
      return;
    }
    this.events.set(e.caseId, [e]);
    const chunk = this.chunkOf(last);
    const ids = this.due.get(chunk);
    if (ids) ids.push(e.caseId);
    else this.due.set(chunk, [e.caseId]);
  }

  /** The cases whose last line is in `chunk`, each with its events in file order. */
  take(chunk: number): CaseEvent[][] {
    const ids = this.due.get(chunk) ?? [];
    this.due.delete(chunk);
    return ids.map((id) => {
      const list = this.events.get(id)!;
      this.events.delete(id);
      return list;
    });
  }
}
