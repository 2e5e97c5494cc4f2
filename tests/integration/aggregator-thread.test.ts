import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startAggregatorThread } from '../../server/aggregator/thread-start.ts';
import type { ThreadData } from '../../server/aggregator/thread-protocol.ts';
import { singleNode } from '../../server/redis/target.ts';

const data: ThreadData = { redis: singleNode({}), regionRoot: '62', logLevel: 'silent', prettyLog: false };
const fixture = (name: string) => new URL(`../fixtures/threads/${name}`, import.meta.url);

function capturingLogger() {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('the aggregator thread supervisor', () => {
  it('starts a thread that died again, and stops it on request', async () => {
    const { logger, lines } = capturingLogger();
    const thread = startAggregatorThread(data, logger, fixture('dies-after-start.mjs'));
    await thread.started;
    const end = Date.now() + 10_000;
    while (lines.filter((l) => l.msg.includes('starting it again')).length < 2 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    // Died, restarted a second later, died again: two restarts announced, each with the error logged.
    expect(lines.filter((l) => l.msg.includes('starting it again')).length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l.msg === 'aggregator thread failed').length).toBeGreaterThanOrEqual(2);
    await thread.stop();
    const after = lines.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(lines.length).toBe(after);
    expect(thread.running).toBe(false);
  });

  it('fails the start of a server whose thread cannot start, without retrying', async () => {
    const { logger, lines } = capturingLogger();
    const thread = startAggregatorThread(data, logger, fixture('fails-to-start.mjs'));
    await expect(thread.started).rejects.toThrow('thread could not start on purpose');
    await new Promise((r) => setTimeout(r, 1500));
    expect(lines.filter((l) => l.msg.includes('starting it again'))).toHaveLength(0);
  });
});
