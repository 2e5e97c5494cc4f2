import { describe, expect, it } from 'vitest';
import { stageLayout } from '../../../client/src/wall/stage-layout.ts';

describe('the stage fills the screen it is on', () => {
  it('keeps the 1920×1080 design on 16:9 screens, scaled as one (1366×768, 1920×1080, 3840×2160)', () => {
    for (const [w, h] of [
      [1366, 768],
      [1920, 1080],
      [3840, 2160],
    ] as const) {
      const s = stageLayout(w, h, null);
      expect(s).toMatchObject({ width: 1920, height: 1080, wide: false });
      expect(Math.abs(s.width * s.scale - w)).toBeLessThan(1);
      expect(Math.abs(s.left)).toBeLessThan(1);
    }
  });

  it('lays a splice wall out as wide as it is, with no bars (5760×1080, 3840×1080, 7680×2160)', () => {
    for (const [w, h] of [
      [5760, 1080],
      [3840, 1080],
      [7680, 2160],
    ] as const) {
      const s = stageLayout(w, h, null);
      expect(s.wide).toBe(true);
      expect(s.height).toBe(1080);
      expect(s.width * s.scale).toBeCloseTo(w, 0);
      expect(s.height * s.scale).toBeCloseTo(h, 0);
      expect(s.left).toBeCloseTo(0, 0);
    }
  });

  it('follows ?layout=: standard keeps the 16:9 design on a wide wall, wide takes the width on any screen', () => {
    const standard = stageLayout(5760, 1080, 'standard');
    expect(standard).toMatchObject({ width: 1920, wide: false, left: 1920 });
    const wide = stageLayout(2560, 1080, 'wide');
    expect(wide).toMatchObject({ wide: true, width: 2560, left: 0 });
    expect(stageLayout(2560, 1080, null).wide).toBe(false);
  });
});
