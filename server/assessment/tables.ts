/**
 * The assessment as export tables (server/exports/table.ts): one table of the child desks, one of
 * the departments, each figure as its rate (%), numerator, denominator and rank, as on the screen.
 */
import {
  DEPARTMENT_FIGURES,
  DESK_FIGURES,
  FIGURE_LABELS,
  type AssessmentReply,
  type DepartmentRow,
  type DeskRow,
  type Figure,
  type ChildDepartmentsRow,
} from '../../shared/schemas/assessment.ts';
import type { Column, Table } from '../exports/table.ts';

/** A rate as a percentage with one decimal, or null. */
export const percent = (f: Figure | null): number | null =>
  f && f.rate !== null ? Math.round(f.rate * 1000) / 10 : null;

function figureColumns<Row>(label: string, get: (r: Row) => Figure | null): Column<Row>[] {
  return [
    { header: `${label}(%)`, value: (r) => percent(get(r)), width: 14 },
    { header: `${label}分子`, value: (r) => get(r)?.num ?? null, width: 10 },
    { header: `${label}分母`, value: (r) => get(r)?.den ?? null, width: 10 },
    { header: `${label}排名`, value: (r) => get(r)?.rank ?? null, width: 10 },
  ];
}

export function deskTable(reply: AssessmentReply, name = '值班台考核'): Table<DeskRow> {
  return {
    name,
    columns: [
      { header: '区划代码', value: (r) => r.code, width: 14 },
      { header: '值班台', value: (r) => r.name, width: 18 },
      ...DESK_FIGURES.flatMap((f) => figureColumns<DeskRow>(FIGURE_LABELS[f], (r) => r.figures[f])),
    ],
    rows: [...reply.desks, { ...reply.own, name: `${reply.own.name}（合计）` }],
  };
}

export function departmentTable(reply: AssessmentReply, name = '部门考核'): Table<DepartmentRow> {
  return {
    name,
    columns: [
      { header: '部门', value: (r) => r.name, width: 22 },
      ...DEPARTMENT_FIGURES.flatMap((f) => figureColumns<DepartmentRow>(FIGURE_LABELS[f], (r) => r.figures[f])),
      { header: '逾期整改措施', value: (r) => r.milestonesOverdue, width: 12 },
    ],
    rows: reply.departments,
  };
}

/** The children's departments summed per child region; undefined where there is no such table. */
export function childDepartmentTable(
  reply: AssessmentReply,
  name = '下级职能部门',
): Table<ChildDepartmentsRow> | undefined {
  if (!reply.departmentsByChild) return undefined;
  return {
    name,
    columns: [
      { header: '区划代码', value: (r) => r.code, width: 10 },
      { header: '区划', value: (r) => r.name, width: 16 },
      { header: '参与部门数', value: (r) => r.departments, width: 12 },
      ...DEPARTMENT_FIGURES.flatMap((f) => figureColumns<ChildDepartmentsRow>(FIGURE_LABELS[f], (r) => r.figures[f])),
    ],
    rows: reply.departmentsByChild,
  };
}
