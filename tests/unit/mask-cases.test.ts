import { describe, expect, it } from 'vitest';
import { maskChanges } from '../../server/privacy/mask.ts';

/** Public screens get case summaries masked in deltas too, not only in the snapshot. */
describe('masking the case text a delta carries', () => {
  it('masks summaries of the snapshot’s case lists and leaves everything else as it was', () => {
    const changes = {
      'cases.recent.0.summary': '村民张三丰报警，电话13812345678',
      'cases.openDisputes.3.summary': '李四与王五因宅基地争执',
      'cases.recent.0.region': '620702001001',
      'counts.today.incident': 4,
      'cases.recent.1': null,
    };
    const out = maskChanges(changes);
    expect(out['cases.recent.0.summary']).toBe('村民张**报警，电话138****5678');
    expect(out['cases.openDisputes.3.summary']).not.toContain('李四');
    expect(out['cases.recent.0.region']).toBe('620702001001');
    expect(out['counts.today.incident']).toBe(4);
    expect(out['cases.recent.1']).toBeNull();
    // The unmasked changes are left alone for the screens that are not public.
    expect(changes['cases.recent.0.summary']).toContain('13812345678');
  });

  it('returns the same object when there is no free text to mask', () => {
    const changes = { 'counts.today.incident': 4 };
    expect(maskChanges(changes)).toBe(changes);
  });
});
