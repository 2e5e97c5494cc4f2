/** Chinese names of audit actions for the admin page; an unknown action shows as its code. */
export const ACTION_LABELS: Record<string, string> = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.logout': '退出登录',
  'user.create': '新建账号',
  'user.disable': '停用账号',
  'user.enable': '启用账号',
  'user.public_mode': '设置公开模式',
  'user.password_reset': '重置密码',
  'user.logout': '强制下线',
  'ingest_key.create': '新建接入密钥',
  'ingest_key.revoke': '吊销接入密钥',
  'alert.ack': '签收预警',
  'alert.dispatch': '分派预警',
  'alert.checkin': '部门报到',
  'alert.resolve': '办结预警',
  'alert.close': '核验关闭',
  'alert.escalate': '升级预警',
  'alert.note': '添加备注',
  'alert.supervise': '督办',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** `detail` as short `key: value` text; values are plain text, never markup. */
export function detailText(detail: Record<string, string | number | boolean | null> | undefined): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('，');
}
