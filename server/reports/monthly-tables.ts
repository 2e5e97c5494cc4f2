/**
 * The 通报's tables for CSV (one table: the desks' assessment) and XLSX (one sheet per table), by
 * server/exports/table.ts.
 */
import { DESK_FIGURES, FIGURE_LABELS } from '../../shared/schemas/assessment.ts';
import { childDepartmentTable, departmentTable, deskTable, percent } from '../assessment/tables.ts';
import type { Table } from '../exports/table.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { IndexRow, MonthlyReport, OverdueRow, RedAlertRow } from './monthly-data.ts';

const time = (ms: number) => isoBeijing(ms).slice(0, 16).replace('T', ' ');

function overviewTable(r: MonthlyReport): Table<[string, string | number | null]> {
  const h = r.headline;
  const own = r.assessment.own.figures;
  return {
    name: '总体情况',
    columns: [
      { header: '项目', value: (x) => x[0], width: 20 },
      { header: '数值', value: (x) => x[1], width: 14 },
    ],
    rows: [
      ['地区', r.region.name],
      ['月份', r.month],
      ['暂估', r.provisional ? '是' : '否'],
      ['有数据的天数', `${r.coverage.covered.length}/${r.coverage.days}`],
      ['平安指数', h.index?.score ?? null],
      ['警情(起)', h.incidents],
      ['矛盾纠纷(件)', h.disputes],
      ['化解(件)', h.resolved],
      ['调解不成功(件)', h.failed],
      ['红色预警(条)', h.alerts.red],
      ['橙色预警(条)', h.alerts.orange],
      ['黄色预警(条)', h.alerts.yellow],
      ['蓝色预警(条)', h.alerts.blue],
      ...DESK_FIGURES.map((f): [string, number | null] => [`${FIGURE_LABELS[f]}(%)`, percent(own[f])]),
    ],
  };
}

const indexTable = (rows: readonly IndexRow[]): Table<IndexRow> => ({
  name: '平安指数排名',
  columns: [
    { header: '名次', value: (x) => x.rank },
    { header: '区划代码', value: (x) => x.code, width: 14 },
    { header: '地区', value: (x) => x.name, width: 16 },
    { header: '平安指数', value: (x) => x.score },
    { header: '上月', value: (x) => x.last },
    { header: '较上月', value: (x) => (x.change === null ? null : Math.round(x.change * 10) / 10) },
    { header: '评分项', value: (x) => `${x.scored}/${x.total}` },
  ],
  rows,
});

const redTable = (rows: readonly RedAlertRow[]): Table<RedAlertRow> => ({
  name: '红色预警处置',
  columns: [
    { header: '预警编号', value: (x) => x.id, width: 22 },
    { header: '预警事项', value: (x) => x.title, width: 36 },
    { header: '发生地', value: (x) => x.place, width: 24 },
    { header: '生成时间', value: (x) => time(x.createdAt), width: 18 },
    { header: '状态', value: (x) => x.state },
    { header: '签收', value: (x) => x.sign },
    { header: '处置结果', value: (x) => x.outcome, width: 26 },
    { header: '督办', value: (x) => x.supervision, width: 16 },
    { header: '分派部门', value: (x) => x.departments, width: 24 },
  ],
  rows,
});

const overdueTable = (rows: readonly OverdueRow[]): Table<OverdueRow> => ({
  name: '逾期事项',
  columns: [
    { header: '类别', value: (x) => x.kind },
    { header: '值班台', value: (x) => x.desk, width: 24 },
    { header: '部门', value: (x) => x.department, width: 16 },
    { header: '事项', value: (x) => x.item, width: 40 },
    { header: '期限', value: (x) => time(x.deadline), width: 18 },
  ],
  rows,
});

type ProblemRow = { state: string; title: string; stars: number; department: string; at: string };
function problemTable(r: MonthlyReport): Table<ProblemRow> | undefined {
  if (!r.problems) return undefined;
  return {
    name: '重点问题',
    columns: [
      { header: '状态', value: (x) => x.state },
      { header: '问题', value: (x) => x.title, width: 40 },
      { header: '星级', value: (x) => x.stars },
      { header: '牵头部门', value: (x) => x.department, width: 16 },
      { header: '销号时间', value: (x) => x.at, width: 18 },
    ],
    rows: [
      ...r.problems.struckOff.map((p) => ({
        state: '本月销号',
        title: p.title,
        stars: p.starsAtStart,
        department: '',
        at: time(p.struckAt),
      })),
      ...r.problems.open.map((p) => ({
        state: '仍在册',
        title: p.title,
        stars: p.stars,
        department: p.leadDepartment,
        at: '',
      })),
    ],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a workbook holds tables of different row types
export function monthlyTables(r: MonthlyReport): Table<any>[] {
  const problems = problemTable(r);
  const byChild = childDepartmentTable(r.assessment);
  return [
    overviewTable(r),
    indexTable(r.index ?? []),
    deskTable(r.assessment),
    departmentTable(r.assessment),
    ...(byChild ? [byChild] : []),
    redTable(r.redAlerts),
    ...(problems ? [problems] : []),
    overdueTable(r.overdue),
  ];
}
