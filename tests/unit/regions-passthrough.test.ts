/** 嘉峪关: a city without counties, whose one "county" is the city again under another code. */
import { describe, expect, it } from 'vitest';
import { loadRegionTree } from '../../server/regions/tree.ts';

describe('a city without counties (嘉峪关市, 6202)', () => {
  it('lists its townships as its children instead of itself as its only child', async () => {
    const tree = await loadRegionTree('62');
    const info = tree.info('6202')!;
    expect(info.children.map((c) => c.name)).toEqual(['雄关街道', '钢城街道', '新城镇', '峪泉镇', '文殊镇']);
    expect(info.children.every((c) => c.level === 'township')).toBe(true);
  });

  it('leaves the doubled county out of the breadcrumb of its townships and villages', async () => {
    const tree = await loadRegionTree('62');
    const town = tree.info('620201001')!;
    expect(town.ancestors.map((a) => a.name)).toEqual(['甘肃省', '嘉峪关市']);
    expect(town.path).toEqual(['62', '6202', '620201001']);
    const village = tree.info(tree.children('620201001')[0]!.code)!;
    expect(village.ancestors.map((a) => a.code)).toEqual(['62', '6202', '620201001']);
  });

  it('keeps every other city as it was: its counties are its children', async () => {
    const tree = await loadRegionTree('62');
    expect(tree.info('6207')!.children.map((c) => c.level)).toEqual(tree.children('6207').map(() => 'county'));
    expect(tree.info('620702001')!.path).toEqual(['62', '6207', '620702', '620702001']);
  });
});
