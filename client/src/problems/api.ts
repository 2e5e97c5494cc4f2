import type { Department } from '../../../shared/schemas/department.ts';
import type { NewProblem, ProblemDetail, ProblemView } from '../../../shared/schemas/problem.ts';
import { ApiFailure, createRequest } from '../lib/api.ts';

export type ProblemFilter = 'open' | 'overdue' | 'closed';

/** The 重点问题 routes of DESIGN.md "Problems, assessment and reports", with the bearer token. */
export interface ProblemsApi {
  list(region: string | null, state: ProblemFilter | 'all'): Promise<ProblemView[]>;
  detail(id: string): Promise<ProblemDetail>;
  create(body: NewProblem): Promise<ProblemView>;
  done(id: string, n: number, evidence: string): Promise<ProblemView>;
  verify(id: string, n: number): Promise<ProblemView>;
  restar(
    id: string,
    body: { stars: number; reason: string; milestone: NewProblem['milestones'][number] },
  ): Promise<ProblemView>;
  supervise(id: string, body: { requirement?: string; deadline?: string }): Promise<ProblemView>;
  departments(region: string): Promise<Department[]>;
}

export function createProblemsApi(
  getToken: () => string | null,
  fetchImpl: typeof fetch = (...a) => fetch(...a),
): ProblemsApi {
  const request = createRequest(getToken, fetchImpl);
  const post = async (path: string, body: unknown) =>
    (
      await request<{ problem: ProblemView }>(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).problem;
  const at = (id: string) => `/api/v1/problems/${encodeURIComponent(id)}`;
  return {
    list: async (region, state) =>
      (
        await request<{ problems: ProblemView[] }>(
          `/api/v1/problems?state=${state}${region ? `&region=${encodeURIComponent(region)}` : ''}`,
        )
      ).problems,
    detail: (id) => request<ProblemDetail>(at(id)),
    create: (body) => post('/api/v1/problems', body),
    done: (id, n, evidence) => post(`${at(id)}/milestones/${n}/done`, { evidence }),
    verify: (id, n) => post(`${at(id)}/milestones/${n}/verify`, {}),
    restar: (id, body) => post(`${at(id)}/restar`, body),
    supervise: (id, body) => post(`${at(id)}/supervise`, body),
    departments: async (region) =>
      (await request<{ departments: Department[] }>(`/api/v1/departments?region=${encodeURIComponent(region)}`))
        .departments,
  };
}

/** Field names of the problem bodies as a desk reads them. */
const FIELD_LABELS: [RegExp, string][] = [
  [/^stars$/, '星级'],
  [/^title$/, '问题名称'],
  [/^description$/, '问题描述'],
  [/^region$/, '所属地区'],
  [/^lead$/, '牵头部门'],
  [/^partners\.(\d+)$/, '配合部门'],
  [/^milestones$/, '整改措施（分值合计须等于星级）'],
  [/^milestones\.(\d+)\.deadline$/, '整改措施 $1 的期限'],
  [/^milestones\.(\d+)\.weight$/, '整改措施 $1 的分值'],
  [/^milestones\.(\d+)\.owner$/, '整改措施 $1 的责任部门'],
  [/^milestones\.(\d+)\.title$/, '整改措施 $1 的内容'],
  [/^milestones\.(\d+)$/, '第 $1 项整改措施'],
  [/^milestone\.weight$/, '新增措施的分值（须等于增加的星数）'],
  [/^milestone\.deadline$/, '新增措施的期限'],
  [/^milestone\.owner$/, '新增措施的责任部门'],
  [/^milestone\.title$/, '新增措施的内容'],
  [/^reason$/, '升星理由'],
  [/^evidence$/, '完成情况'],
  [/^deadline$/, '督办期限'],
];

/** The milestone numbers in `milestones.N` fields are 0-based for a new problem's list, 1-based in routes. */
function label(field: string, zeroBased: boolean): string {
  for (const [re, text] of FIELD_LABELS) {
    const m = re.exec(field);
    if (m)
      return text.replace(
        '$1',
        m[1] ? String(Number(m[1]) + (zeroBased && !field.match(/^milestones\.\d+$/) ? 1 : 0)) : '',
      );
  }
  return field;
}

/** A refusal as one line of Chinese for the desk: which field, and the server's reason. */
export function problemErrorText(err: unknown, zeroBased = false): string {
  if (!(err instanceof ApiFailure)) return '操作失败，请重试';
  const errors = (err.details as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length) {
    return errors
      .slice(0, 3)
      .map((e) => {
        const s = String(e);
        const i = s.indexOf(':');
        return i > 0 ? `${label(s.slice(0, i), zeroBased)}：${s.slice(i + 1).trim()}` : s;
      })
      .join('；');
  }
  if (err.code === 'forbidden' || err.code === 'own_desk') return `无权操作：${err.message}`;
  return err.message || '操作失败，请重试';
}
