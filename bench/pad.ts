// Pads a benchmark message to a given size, so a baseline's messages cost what ours cost to encode,
// send and parse.

/** Filler field `i`, ~20 characters like a delta's `hourly.12.incident: 34` changes. */
const field = (i: number) => [`pad.${String(i).padStart(5, '0')}`, i * 37] as const;

/**
 * The filler fields that, added to `sample` (computed once: building it per message would add
 * its own cost), bring JSON.stringify([sample]) to `bytes`, within one field: the arguments'
 * size as a Socket.IO client measures it. Large enough for a province's snapshot (~100,000 fields).
 */
export function filler(sample: object, bytes: number): Record<string, number> {
  const out: Record<string, number> = {};
  let size = JSON.stringify([sample]).length;
  for (let i = 0; i < 100_000; i++) {
    const [key, value] = field(i);
    const add = key.length + String(value).length + 4; // ,"key":value
    if (size + add > bytes) break;
    out[key] = value;
    size += add;
  }
  return out;
}
