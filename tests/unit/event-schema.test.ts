import { describe, expect, it } from 'vitest';
import { describeIssues, eventSchema } from '../../shared/schemas/event.ts';

/** An event exactly as DESIGN.md's ingest contract describes it, every optional field present. */
const example = {
  id: 'gongan110-20261122-000123',
  caseId: 'jq-620702-20261122-0042',
  kind: 'dispute',
  category: 'family',
  status: 'received',
  severity: 2,
  region: '620702103001',
  location: { lng: 100.45, lat: 38.93 },
  occurredAt: '2026-11-22T10:15:03+08:00',
  channel: 'grid',
  source: 'ignored-from-body',
  summary: '张掖市甘州区某村夫妻因家庭琐事争吵，网格员已上报',
  parties: ['p_3f2a9c', 'p_77d01e'],
  riskMarkers: ['violence_threat'],
};

function errorsOf(event: unknown): string[] {
  const r = eventSchema.safeParse(event);
  return r.success ? [] : describeIssues(r.error);
}

describe('the event schema of the ingest contract', () => {
  it('accepts the contract’s example and a minimal incident', () => {
    expect(errorsOf(example)).toEqual([]);
    const { location: _l, parties: _p, riskMarkers: _r, source: _s, summary: _m, ...minimal } = example;
    expect(
      errorsOf({ ...minimal, kind: 'incident', category: 'criminal', status: 'reported', region: '620702' }),
    ).toEqual([]);
  });

  const wrong: [string, Record<string, unknown>][] = [
    ['id', { id: '' }],
    ['id', { id: 'x'.repeat(129) }],
    ['caseId', { caseId: 42 }],
    ['kind', { kind: 'accident' }],
    ['category', { category: 'criminal' }], // an incident category on a dispute
    ['status', { status: 'closed' }], // an incident status on a dispute
    ['severity', { severity: 5 }],
    ['severity', { severity: 1.5 }],
    ['region', { region: '62' }], // coarser than a county
    ['region', { region: '6207021030011' }],
    ['location.lng', { location: { lng: 200, lat: 38 } }],
    ['location.lat', { location: { lng: 100, lat: '38' } }],
    ['occurredAt', { occurredAt: '2026-11-22 10:15:03' }], // no offset
    ['channel', { channel: 'wechat' }],
    ['summary', { summary: '字'.repeat(501) }],
    ['parties', { parties: 'p_1' }],
    ['riskMarkers.0', { riskMarkers: ['knife'] }],
  ];
  it.each(wrong)('rejects a wrong %s with a message that names it', (field, patch) => {
    const errors = errorsOf({ ...example, ...patch });
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors.some((e) => e.startsWith(`${field}:`)),
      errors.join('; '),
    ).toBe(true);
  });

  it('strips zero-width, bidi-override and control characters from the summary, keeping its full-width punctuation', () => {
    const summary = '村民张\u200B三丰（电话138\u200B1234\u200C5678\u202E），\u0007称：\n纠纷\uFEFF';
    const parsed = eventSchema.parse({ ...example, summary });
    expect(parsed.summary).toBe('村民张三丰（电话13812345678），称： 纠纷');
  });

  it('names a missing field and an unknown one', () => {
    const { occurredAt: _o, ...missing } = example;
    expect(errorsOf(missing).join('; ')).toMatch(/^occurredAt:/);
    expect(errorsOf({ ...example, extra: 1 }).join('; ')).toMatch(/extra/);
  });
});
