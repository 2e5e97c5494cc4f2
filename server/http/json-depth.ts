import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.ts';

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The byte offset at which JSON text first nests deeper than `max` arrays and objects, or
 * undefined. Brackets inside strings do not count. UTF-8 only: no byte of a multi-byte character
 * is below 0x80, so a bracket or quote byte is always that character. Works on broken JSON too
 * (it only counts), and stops at the first level too many, so a body nested millions deep costs
 * a few dozen bytes of looking instead of a parser building millions of arrays.
 */
export function tooDeepAt(bytes: Uint8Array, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return undefined;
}

/**
 * A body-parser `verify` hook: refuses, before the body is decoded or parsed, a body nested
 * deeper than `max` levels, and any charset but UTF-8 (which the scan relies on, and JSON requires).
 */
export function refuseDeepJson(
  max: number,
): (req: IncomingMessage, res: ServerResponse, buf: Buffer, encoding: string | null) => void {
  return (_req, _res, buf, encoding) => {
    if (encoding && !/^utf-?8$/i.test(encoding))
      throw new HttpError(415, 'bad_request', `charset ${encoding.slice(0, 32)} not accepted: send UTF-8`);
    const at = tooDeepAt(buf, max);
    if (at !== undefined)
      throw new HttpError(
        400,
        'bad_request',
        `body nested deeper than ${max} levels (at byte ${at}); nothing of it was kept`,
      );
  };
}
