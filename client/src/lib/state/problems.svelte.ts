import type { ProblemDigest } from '../../../../shared/schemas/problem.ts';

/**
 * The shown region's 重点问题 digest: from its snapshot, then whole from the `problems` event
 * (deltas do not carry it: a public screen gets its text masked). An update for another region
 * (one left a moment ago) is dropped.
 */
export class ProblemDigestState {
  region = $state<string | null>(null);
  digest = $state.raw<ProblemDigest | null>(null);

  reset(region: string, digest: ProblemDigest | null | undefined): void {
    this.region = region;
    this.digest = digest ?? null;
  }

  receive(update: unknown): void {
    const u = update as { region?: unknown; digest?: unknown } | null;
    if (!u || typeof u.region !== 'string' || u.region !== this.region) return;
    if (!u.digest || typeof u.digest !== 'object') return;
    this.digest = u.digest as ProblemDigest;
  }
}
