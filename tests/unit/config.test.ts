import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration from the environment', () => {
  it('defaults to an embedded Redis with the simulator on, serving Gansu on 127.0.0.1:3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', embeddedRedis: true, simulator: true, regionRoot: '62' });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('turns the simulator off by default against an external Redis', () => {
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379/2' })).toMatchObject({
      embeddedRedis: false,
      simulator: false,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' })).toMatchObject({ embeddedRedis: true, port: 3000 });
  });

  it('parses ingest keys as source:key pairs', () => {
    const c = loadConfig({ INGEST_KEYS: 'gongan110:abcdefghijklmnop0123,hotline:ZYXWVUTSRQPONMLK9876' });
    expect(c.ingestKeys).toEqual([
      { source: 'gongan110', key: 'abcdefghijklmnop0123' },
      { source: 'hotline', key: 'ZYXWVUTSRQPONMLK9876' },
    ]);
  });

  it('trusts no proxy unless told which', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY:/);
  });

  it('bounds how long requests wait for Redis and when the pipeline counts as lagging or stalled', () => {
    expect(loadConfig({})).toMatchObject({
      redisCommandTimeoutMs: 10_000,
      pipelineBounds: { laggingSeconds: 5, stalledSeconds: 60 },
    });
    expect(
      loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '1500', PIPELINE_LAGGING_SECONDS: '2', PIPELINE_STALLED_SECONDS: '30' }),
    ).toMatchObject({ redisCommandTimeoutMs: 1500, pipelineBounds: { laggingSeconds: 2, stalledSeconds: 30 } });
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(/REDIS_COMMAND_TIMEOUT_MS:/);
    expect(() => loadConfig({ PIPELINE_LAGGING_SECONDS: 'soon' })).toThrow(/PIPELINE_LAGGING_SECONDS:/);
    expect(() => loadConfig({ PIPELINE_LAGGING_SECONDS: '30', PIPELINE_STALLED_SECONDS: '10' })).toThrow(
      /PIPELINE_STALLED_SECONDS: must be more than PIPELINE_LAGGING_SECONDS/,
    );
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'localhost:6379',
        REGION_ROOT: '6207',
        SIMULATOR: 'maybe',
        INGEST_KEYS: 'nokey',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['PORT', 'REDIS_URL', 'REGION_ROOT', 'SIMULATOR', 'INGEST_KEYS'])
      expect(msg).toContain(`${name}:`);
  });
});
