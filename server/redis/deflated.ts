import zlib from 'node:zlib';

/**
 * Records written once and read rarely (a frozen month's 督办考核 reply, a published 平安指数) are
 * stored deflated: a region's assessment reply is ≈ 9.2 KB of JSON and ≈ 0.8 KB deflated, and a
 * year holds 13 months of them for every region down to the township (docs/capacity.md). A stored
 * value is `z` then raw deflate, or `y` then raw deflate against the caller's preset dictionary (a
 * record of a few hundred bytes has nothing of its own to refer back to; sample records of its
 * shape give it that: a 平安指数 record 262 B → 145 B deflated → 27 B with one). A value stored
 * before (plain JSON, which starts with neither) is read as it is.
 */
const MARK = 0x7a; // 'z'
const WITH_DICTIONARY = 0x79; // 'y'

/**
 * `text` deflated, against `dictionary` when given: a dictionary is stored data (every value
 * written with it needs the same bytes to be read), so a caller's must never change.
 */
export function deflated(text: string, dictionary?: Buffer): Buffer {
  return dictionary
    ? Buffer.concat([Buffer.of(WITH_DICTIONARY), zlib.deflateRawSync(text, { dictionary })])
    : Buffer.concat([Buffer.of(MARK), zlib.deflateRawSync(text)]);
}

/** The text of a stored value, deflated (with the `dictionary` it was written with) or (written before) plain. */
export function inflated(stored: Buffer, dictionary?: Buffer): string {
  if (stored[0] === MARK) return zlib.inflateRawSync(stored.subarray(1)).toString('utf8');
  if (stored[0] === WITH_DICTIONARY) {
    if (!dictionary) throw new Error('a value deflated against a dictionary, read without one');
    return zlib.inflateRawSync(stored.subarray(1), { dictionary }).toString('utf8');
  }
  return stored.toString('utf8');
}
