import { Router } from 'express';
import type { RedisClient } from '../../redis/connection.ts';
import type { LagWatch } from '../../aggregate/lag-watch.ts';
import { withDeadline } from '../../redis/unavailable.ts';
import { RETRY_AFTER_S } from '../errors.ts';
import type { ReadyReply } from '../../../shared/schemas/health.ts';

/** A balancer's probe is answered within this, whatever Redis does. */
const PING_DEADLINE_MS = 1500;

/**
 * `/healthz` (the process is up), `/readyz` (this node can serve: Redis answers; the body says
 * how far the pipeline is behind, which never takes a node out by itself: the whole stream lags at
 * once, and a balancer taking every node out would turn 数据处理延迟 into 连接中断), `/metrics`.
 */
export function healthRouter(deps: {
  redis: RedisClient;
  watch: LagWatch;
  /** Whether this node's aggregator (if it runs one) is running; reported, never a reason for 503. */
  aggregatorRunning: () => boolean;
  metrics: () => Promise<{ contentType: string; text: string }>;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [reason, reading] = await Promise.all([
      withDeadline(deps.redis.ping(), PING_DEADLINE_MS).then(
        (r) => (r === 'PONG' ? undefined : `redis answered ${r} to PING`),
        (err: unknown) => `redis unreachable: ${(err as Error).message}`,
      ),
      deps.watch.read(),
    ]);
    const pipeline = {
      state: reading.state,
      lagEntries: reading.lagEntries,
      oldestAgeSeconds: reading.oldestAgeSeconds,
    };
    const body: ReadyReply = { ok: !reason, redis: !reason, aggregator: deps.aggregatorRunning(), pipeline };
    if (reason)
      res
        .status(503)
        .setHeader('Retry-After', String(RETRY_AFTER_S))
        .json({ ...body, reason });
    else res.json(body);
  });
  router.get('/metrics', async (_req, res) => {
    // Read the lag now, so a scrape sees the stream as it is rather than a few seconds ago.
    await deps.watch.read();
    const { contentType, text } = await deps.metrics();
    res.type(contentType).send(text);
  });
  return router;
}
