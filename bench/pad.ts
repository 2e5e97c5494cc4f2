// Pads a benchmark message to a given size, so a baseline's messages cost what ours cost to encode,
// send and parse.

/** Filler fields of ~20 characters each, like a delta's `hourly.12.incident: 34` changes. */
const FILLER = Array.from({ length: 4096 }, (_, i) => [`pad.${String(i).padStart(5, '0')}`, i * 37] as const);

/**
 * The filler fields that, added to `sample` (computed once: building it per message would add
 * its own cost), bring JSON.stringify([sample]) to `bytes`, within one field: the arguments'
 * size as a Socket.IO client measures it.
 */
export function filler(sample: object, bytes: number): Record<string, number> {
  const out: Record<string, number> = {};
  let size = JSON.stringify([sample]).length;
  for (const [key, value] of FILLER) {
    const add = key.length + String(value).length + 4; // ,"key":value
    if (size + add > bytes) break;
    out[key] = value;
    size += add;
  }
  return out;
}
