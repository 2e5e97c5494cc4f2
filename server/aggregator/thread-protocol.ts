import type { RedisTarget } from '../redis/target.ts';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What the server hands its aggregator thread at start (structured-cloned). */
export interface ThreadData {
  redis: RedisTarget;
  regionRoot: string;
  /** The provinces a national deployment serves (the tree the server loaded). */
  provinces?: readonly string[];
  logLevel: string;
  prettyLog: boolean;
}

export type ToThread = { type: 'metrics'; id: number } | { type: 'stop' };

export type FromThread =
  { type: 'ready' } | { type: 'metrics'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };
