/**
 * Deltas between two snapshots of a region as flat `path → value` changes. Values are absolute
 * (never increments), so applying a delta twice, or on top of a newer snapshot, converges on the
 * sender's state. `null` deletes a key.
 */

export type Leaf = string | number | boolean | null;
export type Changes = Record<string, Leaf>;
type Obj = Record<string, unknown>;

export interface Delta {
  region: string;
  /** Sequence of this delta in its room; a client holding seq n applies only n + 1. */
  seq: number;
  asOf: string;
  changes: Changes;
}

/** Flattens nested objects and arrays into dotted paths (`counts.today.incident`, `hourly.3.hour`). */
export function flatten(value: unknown, prefix = '', out: Record<string, Leaf> = {}): Record<string, Leaf> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0 && prefix) out[prefix] = Array.isArray(value) ? '[]' : '{}';
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out[prefix] = value as Leaf;
  }
  return out;
}

/** The changes that turn flat state `before` into flat state `after`. */
export function diff(before: Record<string, Leaf>, after: Record<string, Leaf>): Changes {
  const changes: Changes = {};
  // Removals first: changes apply in order, and an empty container's marker (`byCategory: '{}'`)
  // goes away in the same delta that fills it (`byCategory.public_order`), so it must go first.
  for (const k of Object.keys(before)) if (!(k in after)) changes[k] = null;
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) changes[k] = v;
  return changes;
}

/**
 * `diff(flatten(before, prefix), flatten(after, prefix))` added to `out`, without building either
 * flat map: walks both trees together and flattens only where they differ in shape. A room's
 * refresh walks every section of its snapshot this way, so each object's keys are listed once and
 * a path is built only for a value that differs.
 */
export function diffValues(before: unknown, after: unknown, prefix: string, out: Changes): Changes {
  if (
    before !== null &&
    typeof before === 'object' &&
    after !== null &&
    typeof after === 'object' &&
    Array.isArray(before) === Array.isArray(after)
  ) {
    const b = before as Obj;
    const a = after as Obj;
    // Arrays by index: Object.keys of an array builds a string per slot.
    if (Array.isArray(a)) {
      const n = (a as unknown[]).length;
      const m = (b as unknown as unknown[]).length;
      // An empty container is a leaf of its own ('{}' or '[]'): flatten decides those (below).
      if (n > 0 && m > 0) {
        for (let i = 0; i < n; i++) diffEntry(a, b, i, prefix, out);
        for (let i = 0; i < m; i++) goneEntry(a, b, i, prefix, out);
        return out;
      }
    } else if (hasKeys(a) && hasKeys(b)) {
      // for…in, not Object.keys: the keys of a snapshot's plain objects come from V8's enum cache
      // without an array per object (those arrays were 8 % of a busy hub's allocation).
      for (const k in a) diffEntry(a, b, k, prefix, out);
      for (const k in b) goneEntry(a, b, k, prefix, out);
      return out;
    }
  }
  return Object.assign(out, diff(flatten(before, prefix), flatten(after, prefix)));
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** One key of two objects (or slot of two arrays) diffValues walks together. */
function diffEntry(a: Obj, b: Obj, k: string | number, prefix: string, out: Changes): void {
  const v = a[k];
  const old = b[k];
  if (v === undefined || old === v) return;
  const path = prefix ? `${prefix}.${k}` : String(k);
  if ((old === null || typeof old !== 'object') && (v === null || typeof v !== 'object')) out[path] = v as Leaf;
  else diffValues(old, v, path, out);
}

/** A key the earlier object had and the later one has not: its leaves go. */
function goneEntry(a: Obj, b: Obj, k: string | number, prefix: string, out: Changes): void {
  if (a[k] !== undefined || b[k] === undefined) return;
  for (const path of Object.keys(flatten(b[k], prefix ? `${prefix}.${k}` : String(k)))) out[path] = null;
}

const UNSAFE = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Applies changes to a (structured-cloned) object in place and returns it. Numeric path parts
 * address array slots; `null` removes. Unsafe keys are ignored so a hostile payload cannot
 * reach a prototype.
 */
export function applyChanges<T extends object>(target: T, changes: Changes): T {
  for (const [path, value] of Object.entries(changes)) {
    const parts = path.split('.');
    if (parts.some((p) => UNSAFE.has(p))) continue;
    let node: Record<string, unknown> | undefined = target as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1 && node; i++) {
      const key = parts[i]!;
      let next = node[key];
      if (next === null || typeof next !== 'object') {
        // A deletion below a missing parent has nothing to delete.
        if (value === null) {
          node = undefined;
          break;
        }
        next = /^\d+$/.test(parts[i + 1]!) ? [] : {};
        node[key] = next;
      }
      node = next as Record<string, unknown>;
    }
    if (!node) continue;
    const last = parts[parts.length - 1]!;
    if (value === null) {
      if (Array.isArray(node)) node.length = Math.min(node.length, Number(last));
      else delete node[last];
    } else if (value === '[]' || value === '{}') {
      node[last] = value === '[]' ? [] : {};
    } else {
      node[last] = value;
    }
  }
  return target;
}
