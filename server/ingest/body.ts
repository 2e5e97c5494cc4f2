import { IngestBodyError } from './errors.ts';

export const MAX_EVENTS_PER_BATCH = 5000;

/**
 * Nesting beyond which a body is refused whole before parsing. An event itself is at most a few
 * levels deep (validate.ts rejects a deeper one alone, keeping the rest of its batch); this bound
 * only stops bodies whose parsing alone would stall the server.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * A body is a JSON array (or one object) or NDJSON. Anything unreadable fails whole, with the line
 * that broke it, so a half-parsed body never keeps half its events.
 */
export function parseBody(text: string, contentType: string | undefined): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) throw new IngestBodyError('empty', 'empty body: expected a JSON array or NDJSON');
  const ndjson =
    /ndjson|jsonl|json-seq/i.test(contentType ?? '') || (!trimmed.startsWith('[') && trimmed.includes('\n'));
  let raws: unknown[];
  if (ndjson) {
    raws = [];
    const lines = trimmed.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        raws.push(JSON.parse(line));
      } catch {
        throw new IngestBodyError('not_json', `NDJSON line ${i + 1} is not valid JSON; nothing of this body was kept`);
      }
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new IngestBodyError('not_json', 'body is not valid JSON; nothing of it was kept');
    }
    raws = Array.isArray(parsed) ? parsed : [parsed];
  }
  if (raws.length > MAX_EVENTS_PER_BATCH)
    throw new IngestBodyError('too_many_events', `${raws.length} events in one body; at most ${MAX_EVENTS_PER_BATCH}`);
  return raws;
}
