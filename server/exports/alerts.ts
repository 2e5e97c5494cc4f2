import type { AlertView } from '../../shared/schemas/alert.ts';
import { ALERT_STATE_LABELS, RULE_LABELS } from '../../shared/schemas/alert.ts';
import { WARNING_LEVEL_LABELS } from '../../shared/vocab.ts';
import { beijingCell } from './time-cell.ts';
import type { Table } from './table.ts';

const time = (iso: string | undefined) => (iso ? beijingCell(iso) : null);

/** The duty console's alert list as a table, one row per alert, headers as the console names them. */
export function alertTable(rows: readonly AlertView[], regionName: (code: string) => string): Table<AlertView> {
  return {
    name: '预警清单',
    columns: [
      { header: '预警编号', value: (a) => a.id, width: 24 },
      { header: '等级', value: (a) => WARNING_LEVEL_LABELS[a.level] },
      { header: '类型', value: (a) => RULE_LABELS[a.rule] },
      { header: '标题', value: (a) => a.title, width: 48 },
      { header: '区域代码', value: (a) => a.region, width: 14 },
      { header: '区域', value: (a) => regionName(a.region), width: 16 },
      { header: '值班台', value: (a) => regionName(a.desk), width: 16 },
      { header: '状态', value: (a) => ALERT_STATE_LABELS[a.state] },
      { header: '次数', value: (a) => a.count },
      { header: '预警时间', value: (a) => time(a.createdAt), width: 20 },
      { header: '更新时间', value: (a) => time(a.updatedAt), width: 20 },
      { header: '签收人', value: (a) => a.signedBy ?? null },
      { header: '签收时间', value: (a) => time(a.signedAt), width: 20 },
      { header: '分派部门', value: (a) => (a.departments ?? []).map((d) => d.name).join('、'), width: 24 },
      { header: '挂牌督办', value: (a) => (a.supervision ? `${regionName(a.supervision.region)}督办` : null) },
      { header: '关联案件', value: (a) => a.caseId ?? null, width: 24 },
    ],
    rows,
  };
}
