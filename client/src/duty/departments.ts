/**
 * Departments a 综治中心 commonly calls (中心吹哨、部门报到). Quick picks only: any department name
 * may be typed, the server takes free text.
 */
export const COMMON_DEPARTMENTS = [
  '公安派出所',
  '司法所',
  '乡镇综治中心',
  '信访办',
  '妇联',
  '民政所',
  '人民法庭',
  '网格员',
  '村（社区）两委',
  '人社劳动监察',
] as const;
