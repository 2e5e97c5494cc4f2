import type { CaseItem } from '../../shared/schemas/case.ts';
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  KIND_LABELS,
  SEVERITY_LABELS,
  STATUS_LABELS,
  type Category,
  type Severity,
} from '../../shared/vocab.ts';
import type { Table } from './table.ts';
import { beijingCell } from './time-cell.ts';

function overdueText(c: CaseItem): string {
  const parts = [c.overdue.dispatch ? '超期未分流' : '', c.overdue.resolve ? '超期未化解' : ''].filter(Boolean);
  return parts.join('、');
}

/** The case list as a table, one row per case, headers as the list names them. */
export function caseTable(rows: readonly CaseItem[]): Table<CaseItem> {
  return {
    name: '案事件清单',
    columns: [
      { header: '案件编号', value: (c) => c.id, width: 24 },
      { header: '类型', value: (c) => KIND_LABELS[c.kind] },
      { header: '类别', value: (c) => CATEGORY_LABELS[c.category as Category] ?? c.category },
      { header: '状态', value: (c) => STATUS_LABELS[c.status] },
      { header: '是否办结', value: (c) => (c.open ? '未办结' : '已办结') },
      { header: '等级', value: (c) => SEVERITY_LABELS[c.severity as Severity] ?? String(c.severity) },
      { header: '区域代码', value: (c) => c.region, width: 14 },
      { header: '区域', value: (c) => c.regionName, width: 28 },
      { header: '受理渠道', value: (c) => CHANNEL_LABELS[c.channel] },
      { header: '首报时间', value: (c) => beijingCell(c.reportedAt), width: 20 },
      { header: '状态时间', value: (c) => beijingCell(c.statusAt), width: 20 },
      { header: '超期', value: overdueText },
      { header: '摘要', value: (c) => c.summary, width: 60 },
    ],
    rows,
  };
}
