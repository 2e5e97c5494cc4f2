import type { RegionTree } from '../regions/tree.ts';
import type { Logger } from '../log.ts';

/**
 * A few regions of every level under the provinces served, breadth first: the provinces, then up
 * to `perLevel` cities, counties, townships and villages, spread over the tree.
 */
export function warmUpRegions(tree: RegionTree, perLevel: number): string[] {
  const picked: string[] = [];
  let level = [...tree.provinces];
  while (level.length > 0) {
    const step = Math.max(1, Math.floor(level.length / perLevel));
    const sample = level.filter((_, i) => i % step === 0).slice(0, perLevel);
    picked.push(...sample);
    // The next level under the whole sample, so deep levels are reached even from a few parents.
    level = sample.flatMap((c) => tree.children(c).map((r) => r.code));
  }
  return picked;
}

/**
 * Reads the snapshots of a sample of regions once before the server serves. After a restart every
 * screen reconnects at once, into a process whose snapshot path has never run: in the storm bench
 * the same 1,000 screens cost 3.6-3.9 CPU s against a fresh server and 2.4-2.7 s against one that
 * had served them once (JIT compilation and feedback, mostly on the snapshot path). The replies are
 * dropped; nothing is kept or sent. Bounded by `budgetMs`, and a failed read only ends it early.
 */
export async function warmUpSnapshots(
  read: (code: string) => Promise<unknown>,
  codes: string[],
  o: { budgetMs: number; rounds: number; logger: Logger },
): Promise<void> {
  const t0 = Date.now();
  let reads = 0;
  try {
    for (let round = 0; round < o.rounds; round++)
      for (let i = 0; i < codes.length; i += 8) {
        if (Date.now() - t0 > o.budgetMs) return;
        await Promise.all(codes.slice(i, i + 8).map(read));
        reads += Math.min(8, codes.length - i);
      }
  } catch (err) {
    o.logger.warn({ err }, 'snapshot warm-up stopped');
  } finally {
    o.logger.info({ reads, ms: Date.now() - t0 }, 'snapshot path warmed up');
  }
}
