/**
 * Pending lifecycle steps, earliest delivery first: a binary min-heap on `sendAt` (ties in
 * insertion order). Capped so a runaway configuration cannot eat the server's memory; what does
 * not fit is dropped and counted (those cases just stay open).
 */
import type { Outgoing } from './events.ts';

interface Entry {
  item: Outgoing;
  order: number;
}

export class PendingQueue {
  private readonly heap: Entry[] = [];
  private counter = 0;
  dropped = 0;

  constructor(readonly cap: number) {}

  clear(): void {
    this.heap.length = 0;
  }

  get size(): number {
    return this.heap.length;
  }

  /** False (and counted in `dropped`) when the queue is full. */
  push(item: Outgoing): boolean {
    if (this.heap.length >= this.cap) {
      this.dropped++;
      return false;
    }
    this.heap.push({ item, order: this.counter++ });
    this.up(this.heap.length - 1);
    return true;
  }

  /**
   * All of a case's pending steps or none: a half-queued lifecycle would stop at a random step,
   * while a dropped one simply never starts moving.
   */
  pushAll(items: readonly Outgoing[]): boolean {
    if (this.heap.length + items.length > this.cap) {
      this.dropped += items.length;
      return false;
    }
    for (const item of items) this.push(item);
    return true;
  }

  peek(): Outgoing | undefined {
    return this.heap[0]?.item;
  }

  /** Removes and returns every item with `sendAt ≤ now`, in delivery order. */
  popDue(now: number, max = Infinity): Outgoing[] {
    const out: Outgoing[] = [];
    while (this.heap.length > 0 && this.heap[0]!.item.sendAt <= now && out.length < max) out.push(this.pop()!);
    return out;
  }

  private pop(): Outgoing | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top && last && this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top?.item;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.item.sendAt !== b.item.sendAt ? a.item.sendAt < b.item.sendAt : a.order < b.order;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
