// Ingest's hand-written check (server/ingest/fast-check.ts), which live ingest and the import's
// fast path (server/import/fast-event.ts) both use, against the authority, zod with ingest's own
// checks: fed the same hostile events, the fast check may say "not sure" as often as it likes, but
// whatever it accepts zod must accept too, into the very same stored event and case event.
import { describe, expect, it } from 'vitest';
import { fastEvent } from '../../server/import/fast-event.ts';
import { schemaEvent, validateEvents } from '../../server/ingest/validate.ts';
import { sureEvent, sureTime } from '../../server/ingest/fast-check.ts';
import type { Rejection } from '../../shared/schemas/ingest.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import { caseEvent } from '../../server/aggregate/case-state.ts';
import { prng } from '../helpers/prng.ts';

const NOW = Date.parse('2026-12-05T10:00:00+08:00');
const KNOWN = new Set(['620102001001', '620102001', '620102', '620702001', '620302']);
const ctx = { now: NOW, hasRegion: (c: string) => KNOWN.has(c) };
const validation = { source: 'import', now: NOW, hasRegion: ctx.hasRegion, maxAgeMs: Infinity };

const base = {
  id: 'e-1',
  caseId: 'c-1',
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: '620102001001',
  location: { lng: 103.8, lat: 36.06 },
  occurredAt: '2026-11-05T13:08:06.202+08:00',
  channel: 'grid',
  summary: '兰州市城关区某村村民因宅基地发生纠纷',
  parties: ['p_1', 'p_2'],
  riskMarkers: ['escalating'],
};

const long = (n: number, c = 'x') => c.repeat(n);
const dates = [
  '2024-02-29T10:00:00+08:00',
  '2000-02-29T10:00:00Z',
  '2100-02-29T10:00:00Z',
  '2026-02-29T10:00:00Z',
  '2026-02-28T23:59:59.999999999-05:30',
  '2026-04-30T10:00:00Z',
  '2026-04-31T10:00:00Z',
  '2026-11-30T10:00:00+08:00',
  '2026-10-31T10:00:00+08:00',
  '2026-09-31T10:00:00+08:00',
  '2026-06-31T10:00:00Z',
  '2026-12-32T10:00:00Z',
  '2026-13-01T10:00:00Z',
  '2026-00-10T10:00:00Z',
  '2026-06-15T24:00:00Z',
  '2026-06-15T23:60:00Z',
  '2026-06-15T23:59:60Z',
  '2026-06-15T10:00Z',
  '2026-06-15T10:00:00',
  '2026-06-15 10:00:00+08:00',
  '2026-06-15T10:00:00+24:00',
  '2026-06-15T10:00:00+08:60',
  '2026-06-15T10:00:00+0800',
  '2026-06-15T10:00:00.1234567891+08:00',
  '2026-06-15T10:00:00.+08:00',
  '2026-06-15t10:00:00z',
  '0000-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2026-12-05T10:04:00+08:00',
  '2026-12-05T10:06:00+08:00',
  '2027-01-01T00:00:00Z',
  '２０２６-06-15T10:00:00Z',
  '2026-06-15T10:00:00+08:00\n',
  '',
  1764900000000,
  null,
];
const hostile: Record<string, unknown[]> = {
  id: ['', long(128), long(129), long(64, '😀'), long(65, '😀'), 1, null, ['e'], { a: 1 }],
  caseId: ['', long(128), long(129), 7, false],
  kind: ['incident', 'dispute', 'Dispute', '', 1, null],
  category: ['family', 'fraud', 'criminal', 'other', 'Family', '', 3, '__proto__'],
  status: ['received', 'closed', 'reported', 'verified', 'resolved', 'failed', 'RESOLVED', ''],
  severity: [0, 1, 4, 5, 2.5, -1, '2', true, null, 1, Number.MAX_SAFE_INTEGER],
  region: [
    '620102001001',
    '620102001',
    '620102',
    '6201',
    '62',
    '62010200100',
    '6201020010011',
    '629999',
    '440103',
    '６２０１０２',
    '620102 ',
    620102,
  ],
  location: [
    { lng: 181, lat: 0 },
    { lng: -180, lat: 90 },
    { lng: 180, lat: -90.0001 },
    { lng: '103', lat: 36 },
    { lng: 103 },
    { lng: 103, lat: 36, alt: 1 },
    [103, 36],
    null,
    'here',
  ],
  occurredAt: dates,
  channel: ['grid', 'app', 'court', 'Grid', 'tv', '', 0],
  summary: [
    '',
    long(500),
    long(501),
    long(499) + '\u200b\u200b',
    'a\tb\nc\rd',
    '138\u200B1234\u200B5678',
    '\u202Eevil',
    '<script>alert(1)</script>',
    7,
    null,
  ],
  parties: [
    [],
    [''],
    [long(128)],
    [long(129)],
    Array.from({ length: 50 }, (_, i) => `p${i}`),
    Array.from({ length: 51 }, (_, i) => `p${i}`),
    [1],
    'p',
    null,
  ],
  riskMarkers: [
    [],
    ['weapon', 'kill_threat'],
    ['nuke'],
    Array(21).fill('weapon'),
    Array(20).fill('weapon'),
    'weapon',
    null,
  ],
  source: ['x', long(64), long(65), 3, null],
};

/**
 * What each side makes of `raw`: the fast check's case event and stored event (or undefined), and
 * the schema's (or its reasons) with ingest's checks after it, as validateEvents applies them.
 */
function judge(raw: unknown) {
  const fast = fastEvent(raw, ctx);
  const sure = sureTime(raw, ctx);
  const rejected: Rejection[] = [];
  const parsed = schemaEvent(raw, 0, rejected);
  const ts = parsed ? Date.parse(parsed.occurredAt) : NaN;
  const beyond = parsed && (ts > NOW + 5 * 60_000 || !ctx.hasRegion(parsed.region));
  const zod = parsed && !beyond ? parsed : undefined;
  const stored = (e: object) => ({ ...e, source: 'import', ts }) as StoredEvent;
  return {
    fast,
    fastStored: sure === undefined ? undefined : sureEvent(raw),
    sure,
    zod,
    zodCase: zod ? caseEvent(stored(zod)) : undefined,
    reasons: zod ? undefined : (rejected[0]?.errors ?? ['beyond ingest’s checks']),
  };
}

function expectAgreement(raw: unknown): 'fast' | 'slow' {
  const { fast, fastStored, sure, zod, zodCase, reasons } = judge(raw);
  // The two fast paths agree on when they are sure.
  expect(fast === undefined, JSON.stringify(raw)).toBe(sure === undefined);
  if (!fast) return 'slow';
  // Accepted by the fast check: zod accepts it too, into exactly the same events.
  expect(reasons, JSON.stringify(raw)).toBeUndefined();
  expect(fast).toEqual(zodCase);
  expect(sure).toBe(Date.parse(zod!.occurredAt));
  expect(fastStored).toStrictEqual(zod);
  // validateEvents, which takes the fast path itself, gives the same stored event.
  expect(validateEvents([raw], validation).events[0]?.event).toStrictEqual({
    ...zod,
    source: 'import',
    ts: sure,
    receivedAt: NOW,
  });
  return 'fast';
}

describe('the fast check never accepts what zod refuses', () => {
  it('accepts the ordinary event, with zod’s very output', () => {
    expect(expectAgreement(base)).toBe('fast');
    const { summary: _s, location: _l, parties: _p, riskMarkers: _r, ...bare } = base;
    expect(expectAgreement(bare)).toBe('fast');
    expect(judge(bare).fast?.summary).toBe('');
  });

  it('agrees with zod on every hostile value of every field, and on each field missing', () => {
    let fast = 0;
    let slow = 0;
    for (const [field, values] of Object.entries(hostile)) {
      for (const value of values) {
        const r = expectAgreement({ ...base, [field]: value });
        if (r === 'fast') fast++;
        else slow++;
      }
      const { [field]: _gone, ...without } = base as Record<string, unknown>;
      expectAgreement(without);
    }
    // Both ways were taken: the corpus has valid unusual values as well as invalid ones.
    expect(fast).toBeGreaterThan(40);
    expect(slow).toBeGreaterThan(80);
  });

  it('leaves to zod what JSON can smuggle: prototype keys, extra keys, non-objects', () => {
    for (const text of [
      '{"__proto__":{"x":1},"id":"e","caseId":"c","kind":"dispute","category":"family","status":"received","severity":1,"region":"620102","occurredAt":"2026-11-05T13:08:06+08:00","channel":"grid"}',
      '{"constructor":1,"id":"e","caseId":"c","kind":"dispute","category":"family","status":"received","severity":1,"region":"620102","occurredAt":"2026-11-05T13:08:06+08:00","channel":"grid"}',
      '{"extra":1,"id":"e","caseId":"c","kind":"dispute","category":"family","status":"received","severity":1,"region":"620102","occurredAt":"2026-11-05T13:08:06+08:00","channel":"grid"}',
      '[]',
      '"event"',
      '42',
      'null',
    ]) {
      const raw = JSON.parse(text) as unknown;
      expect(judge(raw).fast).toBeUndefined();
      expect(judge(raw).reasons).toBeDefined();
    }
  });

  it('agrees with zod on 10,000 events of random hostile values in several fields at once', () => {
    const rand = prng(18);
    const fields = Object.keys(hostile);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    let fast = 0;
    for (let n = 0; n < 10_000; n++) {
      const raw: Record<string, unknown> = { ...base };
      const k = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < k; j++) {
        const f = pick(fields);
        if (rand() < 0.1) delete raw[f];
        else raw[f] = pick(hostile[f]!);
      }
      if (expectAgreement(raw) === 'fast') fast++;
    }
    expect(fast).toBeGreaterThan(500);
  });
});
