import type { DepartmentView } from '../../../shared/schemas/alert.ts';
import type { Department } from '../../../shared/schemas/department.ts';
import { TASK_STATES, type FeedbackResult, type Task, type TaskState } from '../../../shared/schemas/department.ts';
import { createRequest } from '../lib/api.ts';

export type TaskAction = 'checkin' | 'feedback' | 'assist';
export type TaskBody = Record<string, never> | { text: string; result: FeedbackResult } | { text: string };

export interface DeptApi {
  tasks(state: TaskState): Promise<Task[]>;
  /** The departments a desk of `region` may call (its own first): where a department finds its name. */
  departments(region: string): Promise<Department[]>;
  act(alertId: string, action: TaskAction, body: TaskBody): Promise<unknown>;
}

/** The department's routes of DESIGN.md "Departments and supervision", with the bearer token. */
export function createDeptApi(getToken: () => string | null, fetchImpl: typeof fetch = (...a) => fetch(...a)): DeptApi {
  const request = createRequest(getToken, fetchImpl);
  return {
    tasks: async (state) => (await request<{ tasks: Task[] }>(`/api/v1/tasks?state=${state}`)).tasks,
    departments: async (region) =>
      (await request<{ departments: Department[] }>(`/api/v1/departments?region=${encodeURIComponent(region)}`))
        .departments,
    act: (alertId, action, body) =>
      request(`/api/v1/alerts/${encodeURIComponent(alertId)}/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

/** The task's own department among those the alert was dispatched to (by registry id, else by name). */
export function ownRow(alert: Task['alert'], department: string): DepartmentView | undefined {
  const rows = alert.departments ?? [];
  return rows.find((d) => d.id === department) ?? rows.find((d) => d.name === department);
}

/** 待报到 until it reports, 办理中 until it feeds back, then 已反馈 (a feedback implies the report). */
export function taskStateOf(row: DepartmentView): TaskState {
  return row.feedback ? 'done' : row.checkedInAt ? 'active' : 'pending';
}

export { TASK_STATES, type Task, type TaskState, type FeedbackResult };
