/**
 * Counties whose boundary feature still carries the code they had before a renaming, where the
 * region is the same place under a new code and name (one old county, one new one, same
 * outline). Matching by the old id finds nothing and the stems of the two names differ, so
 * without this table the county is drawn as a hole. Only one-to-one changes belong here: a county
 * split between several new districts (邢台县 in 2020) has no single new code to carry its outline.
 */
export const RENAMED_COUNTIES: Readonly<Record<string, { code: string; why: string }>> = {
  // 那曲地区 became 那曲市 in 2017 and its seat, 那曲县 (542421), the district 色尼区 (540602).
  '542421': { code: '540602', why: '那曲县 → 色尼区 (2017)' },
  // 滦县 (130223) became the county-level city 滦州市 (130284) in 2018.
  '130223': { code: '130284', why: '滦县 → 滦州市 (2018)' },
  // Counties turned districts of their city, same outline, new code:
  '140227': { code: '140215', why: '大同县 → 云州区 (2018)' },
  '140421': { code: '140404', why: '长治县 → 上党区 (2018)' },
  '360421': { code: '360404', why: '九江县 → 柴桑区 (2017)' },
  '361121': { code: '361104', why: '上饶县 → 广信区 (2019)' },
  '430221': { code: '430212', why: '株洲县 → 渌口区 (2018)' },
  '511521': { code: '511504', why: '宜宾县 → 叙州区 (2018)' },
  '500228': { code: '500155', why: '梁平县 → 梁平区 (2016)' },
  '500232': { code: '500156', why: '武隆县 → 武隆区 (2016)' },
  // 莱芜市 was merged into 济南市 in 2019; its 莱城区 became 济南's 莱芜区.
  '371202': { code: '370116', why: '莱城区 → 济南市莱芜区 (2019)' },
};

/** The id a feature goes by today: its renamed county's code, or its own id. */
export function currentId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : (RENAMED_COUNTIES[id]?.code ?? id);
}
