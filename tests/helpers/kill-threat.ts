/**
 * A dispute in a village of 甘州区 (620702001001) whose weapon and threat to kill make the rules
 * raise a red 命案风险 alert at once: the browser tests' crafted emergency.
 */
export function killThreatDispute(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    caseId: `${id}-case`,
    kind: 'dispute',
    category: 'family',
    status: 'received',
    severity: 3,
    region: '620702001001',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    channel: 'police_110',
    summary: '夫妻争吵升级，男方持刀扬言杀人',
    riskMarkers: ['weapon', 'kill_threat'],
    ...over,
  };
}
