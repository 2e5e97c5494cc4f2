import zlib from 'node:zlib';

/**
 * Records written once and read rarely (a frozen month's 督办考核 reply, a published 平安指数) are
 * stored deflated: a region's assessment reply is ≈ 9.2 KB of JSON and ≈ 0.8 KB deflated, and a
 * year holds 13 months of them for every region down to the township (docs/capacity.md). A stored
 * value is `z` then raw deflate; a value stored before (plain JSON, which never starts with `z`)
 * is read as it is.
 */
const MARK = 0x7a; // 'z'

export function deflated(text: string): Buffer {
  return Buffer.concat([Buffer.of(MARK), zlib.deflateRawSync(text)]);
}

/** The text of a stored value, deflated or (written before) plain. */
export function inflated(stored: Buffer): string {
  return stored[0] === MARK ? zlib.inflateRawSync(stored.subarray(1)).toString('utf8') : stored.toString('utf8');
}
