import {
  MILESTONE_STATE_LABELS,
  PROBLEM_STATE_LABELS,
  type MilestoneView,
  type ProblemView,
} from '../../shared/schemas/problem.ts';
import type { Table } from './table.ts';
import { beijingCell } from './time-cell.ts';

const time = (iso: string | undefined) => (iso ? beijingCell(iso) : null);
const stars = (n: number) => (n > 0 ? '★'.repeat(n) : '0');

/** The 重点问题 register as the list shows it, one row per problem. */
export function problemTable(rows: readonly ProblemView[], regionName: (code: string) => string): Table<ProblemView> {
  return {
    name: '重点问题清单',
    columns: [
      { header: '问题编号', value: (p) => p.id, width: 22 },
      { header: '问题名称', value: (p) => p.title, width: 36 },
      { header: '区域代码', value: (p) => p.region, width: 14 },
      { header: '区域', value: (p) => regionName(p.region), width: 20 },
      { header: '登记层级', value: (p) => regionName(p.desk), width: 14 },
      { header: '状态', value: (p) => PROBLEM_STATE_LABELS[p.state] },
      { header: '当前星级', value: (p) => p.stars },
      { header: '星级', value: (p) => stars(p.stars) },
      { header: '登记星级', value: (p) => p.starsAtStart },
      { header: '牵头部门', value: (p) => p.lead.name, width: 20 },
      { header: '协同部门', value: (p) => p.partners.map((d) => d.name).join('、'), width: 28 },
      {
        header: '整改措施（已核验/共）',
        value: (p) => `${p.milestones.filter((m) => m.state === 'verified').length}/${p.milestones.length}`,
      },
      {
        header: '逾期措施',
        value: (p) =>
          p.milestones
            .filter((m) => m.overdue)
            .map((m) => `${m.n}. ${m.title}`)
            .join('；'),
        width: 36,
      },
      {
        header: '挂牌督办',
        value: (p) =>
          p.supervision ? `${regionName(p.supervision.region)}督办${p.supervision.overdue ? '（已逾期）' : ''}` : null,
        width: 18,
      },
      { header: '登记人', value: (p) => p.createdBy || null },
      { header: '登记时间', value: (p) => time(p.createdAt), width: 20 },
      { header: '更新时间', value: (p) => time(p.updatedAt), width: 20 },
      { header: '销号时间', value: (p) => time(p.struckAt), width: 20 },
      { header: '关联预警', value: (p) => p.links.alerts.join('、') || null, width: 24 },
      { header: '问题描述', value: (p) => p.description, width: 60 },
    ],
    rows,
  };
}

type MilestoneRow = MilestoneView & { problem: ProblemView };

/** Every milestone (整改措施) of those problems, one row each: the XLSX's second sheet. */
export function milestoneTable(problems: readonly ProblemView[]): Table<MilestoneRow> {
  return {
    name: '整改措施',
    columns: [
      { header: '问题编号', value: (m) => m.problem.id, width: 22 },
      { header: '问题名称', value: (m) => m.problem.title, width: 30 },
      { header: '序号', value: (m) => m.n },
      { header: '整改措施', value: (m) => m.title, width: 36 },
      { header: '责任部门', value: (m) => m.owner.name, width: 20 },
      { header: '星级权重', value: (m) => m.weight },
      { header: '完成时限', value: (m) => time(m.deadline), width: 20 },
      { header: '状态', value: (m) => MILESTONE_STATE_LABELS[m.state] },
      { header: '是否逾期', value: (m) => (m.overdue ? '逾期' : m.overdueAt ? '曾逾期' : '') },
      { header: '完成时间', value: (m) => time(m.doneAt), width: 20 },
      { header: '完成情况', value: (m) => m.evidence ?? null, width: 40 },
      { header: '核验时间', value: (m) => time(m.verifiedAt), width: 20 },
    ],
    rows: problems.flatMap((problem) => problem.milestones.map((m) => ({ ...m, problem }))),
  };
}
