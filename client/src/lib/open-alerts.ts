import type { LevelCounts } from '../../../shared/schemas/snapshot.ts';

/**
 * The 最新预警 panel's note: the region's true number of open alerts (the snapshot's counts by
 * level, not the length of its capped list), and how many of them the panel shows.
 */
export function openAlertsNote(counts: LevelCounts, shown: number): string {
  const total = counts.red + counts.orange + counts.yellow + counts.blue;
  return total > shown ? `未办结 ${total} 条 · 显示前 ${shown}` : `未办结 ${total} 条`;
}
