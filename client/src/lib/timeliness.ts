import type { TimelinessReply } from '../../../shared/schemas/timeliness.ts';
import { exactCount, formatPercent } from './format.ts';

/**
 * 上报及时率 as the wall prints it: `92.3` and `%`, or `—` before anything was reported this
 * month; `detail` spells out the counts behind it (a tooltip for whoever stands close).
 */
export function timelinessLine(r: TimelinessReply): { value: string; unit: string; detail: string } {
  const detail =
    `${r.month} 按时上报 ${exactCount(r.onTime)} ÷ (上报 ${exactCount(r.reports)} + 失联 ${exactCount(r.silences)})；` +
    `按时：事件 ${r.limitMinutes.incident} 分钟内、纠纷 ${r.limitMinutes.dispute / 60} 小时内上报`;
  return { value: formatPercent(r.rate), unit: r.rate === null ? '' : '%', detail };
}
