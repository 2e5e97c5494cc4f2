import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDetail } from '../../shared/alert-machine.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let officerA: TestBrowser;
let officerB: TestBrowser;
let a: Page;
let b: Page;

const iso = (ms: number) => new Date(ms).toISOString();

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${t.url}/duty`);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', `pw-${username}-12345`);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/duty$/);
  await page.waitForSelector('[data-testid=duty-link][data-status=live]');
}

/** A few quieter alerts around, so the queue looks like a real shift. */
async function background(): Promise<void> {
  const now = Date.now();
  const dispute = (id: string, over: Record<string, unknown>) => ({
    id,
    caseId: `bg-${id}`,
    kind: 'dispute',
    category: 'neighbour',
    status: 'received',
    severity: 2,
    region: '620702003001',
    occurredAt: iso(now - 30 * 60_000),
    channel: 'grid',
    summary: '邻里因宅基地界址发生争执',
    ...over,
  });
  const petition = (i: number) => ({
    id: `bg-pet-${i}`,
    caseId: `bg-pet-case-${i}`,
    kind: 'incident',
    category: 'petition',
    status: 'reported',
    severity: 1,
    region: '620702100201',
    occurredAt: iso(now - (3 - i) * 86_400_000 - 60_000),
    channel: 'petition',
    summary: '群众反映拖欠工程款问题',
    parties: ['bg-petitioner-1'],
  });
  const res = await t.postEvents([
    dispute('v1', { riskMarkers: ['violence_threat'], summary: '邻里纠纷中一方扬言动手' }),
    dispute('e1', { category: 'family', severity: 1, region: '620702004001', summary: '家庭矛盾反复' }),
    petition(0),
    petition(1),
    petition(2),
  ]);
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ accepted: 5 });
  await t.postEvents([
    dispute('e2', {
      caseId: 'bg-e1',
      category: 'family',
      severity: 3,
      status: 'mediating',
      region: '620702004001',
      occurredAt: iso(now - 10 * 60_000),
      summary: '矛盾升级，双方发生推搡',
    }),
  ]);
}

beforeAll(async () => {
  await ensureClientBuild();
  t = await startTestServer();
  await t.userToken('zhou', 'duty', '620702');
  await t.userToken('wu', 'duty', '620702');
  await background();
  [officerA, officerB] = await Promise.all([
    launchBrowser(),
    launchBrowser({ viewport: { width: 1600, height: 900 } }),
  ]);
  a = await officerA.newPage();
  b = await officerB.newPage();
  await Promise.all([login(a, 'zhou'), login(b, 'wu')]);
}, 240_000);

afterAll(async () => {
  await officerA?.close();
  await officerB?.close();
  await t?.stop();
});

async function api<T>(path: string): Promise<T> {
  const token = await t.login('admin', t.adminPassword);
  const res = await fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as T;
}

describe('the duty console (值班台)', () => {
  it('shows a crafted high-risk dispute with its sound, and walks it to closed', async () => {
    await a.waitForSelector('[data-testid=queue-item]');
    const beepsBefore = Number(await a.getAttribute('[data-testid=duty-console]', 'data-beeps'));
    const item = '[data-testid=queue-item][data-level=red][data-state=new]';
    const posted = await t.postEvents([
      killThreatDispute('hr-1', { caseId: 'hr-case-1', summary: '夫妻争吵升级，男方持刀扬言杀人，民警已到场' }),
    ]);
    expect(posted.body).toMatchObject({ accepted: 1 });
    // Within a second is measured alone, in tests/latency/arrival.test.ts; here, that it comes.
    await a.waitForSelector(item, { timeout: 10_000 });
    // The sound: one beep asked for (the browser may keep the audio itself suspended headless).
    await expect
      .poll(async () => Number(await a.getAttribute('[data-testid=duty-console]', 'data-beeps')))
      .toBe(beepsBefore + 1);
    await b.waitForSelector(item, { timeout: 10_000 });

    // Both officers open it; both press A at the same moment: one signs, the other is told who.
    await Promise.all([a.click(item), b.click(item)]);
    await Promise.all([
      a.waitForSelector('[data-testid=duty-detail][data-state=new]'),
      b.waitForSelector('[data-testid=duty-detail][data-state=new]'),
    ]);
    const alertId = (await a.getAttribute('[data-testid=duty-detail]', 'data-id'))!;
    expect(await a.textContent('[data-testid=detail-explanation]')).toContain('持械');
    await Promise.all([a.keyboard.press('a'), b.keyboard.press('a')]);
    await a.waitForSelector('[data-testid=duty-detail][data-state=acknowledged]');
    await b.waitForSelector('[data-testid=duty-detail][data-state=acknowledged]');
    const signer = (await a.textContent('[data-testid=detail-signed]'))!.startsWith('zhou') ? 'zhou' : 'wu';
    const loser = signer === 'zhou' ? b : a;
    expect(await b.textContent('[data-testid=detail-signed]')).toContain(signer);
    const loserNotice = await loser.$('[data-testid=duty-notice]');
    if (loserNotice) expect(await loserNotice.textContent()).toBe(`已由 ${signer} 签收`);
    const winner = signer === 'zhou' ? a : b;
    // The wall's snapshot reflects the step.
    const snap1 = await api<Snapshot>('/snapshot/620702');
    expect(snap1.alerts.find((x) => x.id === alertId)).toMatchObject({ state: 'acknowledged', signedBy: signer });
    expect(snap1.alertCounts.red).toBe(1);

    // 分派 to a registry department and a one-off (中心吹哨); the desk records one report by phone.
    await winner.keyboard.press('d');
    await winner.click('[data-testid=dispatch-picker] >> text=公安局');
    await winner.fill('[data-testid=dispatch-custom]', '县妇联');
    await winner.press('[data-testid=dispatch-custom]', 'Enter');
    await screenshot(winner, 'duty-dispatch-picker');
    await winner.click('[data-testid=dispatch-confirm]');
    await winner.waitForSelector('[data-testid=duty-detail][data-state=dispatched]');
    await winner.click('[data-testid=detail-departments] >> text=代为报到 >> nth=0');
    await winner.fill('[data-testid=record-reason]', '值班电话报到');
    await winner.click('[data-testid=record-confirm]');
    await winner.waitForSelector('[data-testid=detail-departments] >> text=已报到');
    expect(await winner.textContent('[data-testid=detail-departments]')).toMatch(/县妇联[^已]*临时[^已]*待报到/);
    await b.waitForSelector('[data-testid=duty-detail][data-state=dispatched]');
    await screenshot(winner === a ? a : b, 'duty');

    // 办结 needs a note; then 核验 closes it and it leaves the queue.
    await winner.keyboard.press('r');
    await winner.waitForSelector('[data-testid=duty-notice] >> text=请先在「处置说明」中写明办理情况');
    await winner.fill('[data-testid=duty-note]', '经派出所、妇联联合调解，双方签订协议，收缴刀具');
    // 县妇联 never reported: 办结 asks why, names it, and the reason goes into the record.
    await winner.click('[data-testid=act-resolve]');
    expect(await winner.textContent('[data-testid=resolve-unreported]')).toBe('县妇联');
    await winner.fill('[data-testid=resolve-override]', '妇联已电话参与调解，未到场登记');
    await winner.click('[data-testid=resolve-confirm]');
    await winner.waitForSelector('[data-testid=duty-detail][data-state=resolved]');
    expect(await winner.textContent('[data-testid=history-override]')).toContain('妇联已电话参与调解');
    const snap2 = await api<Snapshot>('/snapshot/620702');
    expect(snap2.alerts.find((x) => x.id === alertId)).toBeUndefined();
    expect(snap2.alertCounts.red).toBe(0);
    await winner.click('[data-testid=act-close]');
    await winner.waitForSelector(`[data-testid=queue-item][data-id="${alertId}"]`, { state: 'detached' });
    await b.waitForSelector(`[data-testid=queue-item][data-id="${alertId}"]`, { state: 'detached' });
    // Others wait: the console opens the next of them, not an empty page.
    // The queue may drop the item a frame before the detail switches, so wait for the switch itself.
    await winner.waitForSelector(`[data-testid=duty-detail]:not([data-id="${alertId}"])`);
    expect(await winner.getAttribute('[data-testid=duty-detail]', 'data-id')).not.toBe(alertId);

    // The closed alert is findable under 已办结, by region and rule.
    await winner.click('[data-testid=tab-done]');
    await winner.waitForSelector(`[data-testid=queue-item][data-id="${alertId}"]`);
    await winner.selectOption('[data-testid=closed-region]', '620702001');
    await winner.selectOption('[data-testid=closed-rule]', 'spike');
    await winner.click('[data-testid=closed-submit]');
    await winner.waitForSelector(`[data-testid=queue-item][data-id="${alertId}"]`, { state: 'detached' });
    await winner.selectOption('[data-testid=closed-rule]', 'homicide_risk');
    await winner.click('[data-testid=closed-submit]');
    await winner.click(`[data-testid=queue-item][data-id="${alertId}"]`);
    await winner.waitForSelector(`[data-testid=duty-detail][data-id="${alertId}"][data-state=closed]`);
    await screenshot(winner, 'duty-closed');
    await winner.click('[data-testid=tab-open]');

    const d = await api<AlertDetail>(`/alerts/${alertId}`);
    expect(d.alert.state).toBe('closed');
    expect(d.history.map((h) => `${h.action}:${h.by}`)).toEqual([
      'create:system',
      `ack:${signer}`,
      `dispatch:${signer}`,
      `checkin:${signer}`,
      `resolve:${signer}`,
      `close:${signer}`,
    ]);
    expect(d.history.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.history[4]!.note).toBe('经派出所、妇联联合调解，双方签订协议，收缴刀具');
  }, 60_000);

  it('mutes with M, and moves through the queue with the arrow keys', async () => {
    const muted = async () => (await a.textContent('[data-testid=duty-mute]'))!.includes('关');
    const before = await muted();
    await a.keyboard.press('m');
    expect(await muted()).toBe(!before);
    await a.keyboard.press('m');
    const first = await a.getAttribute('[data-testid=queue-item] >> nth=0', 'data-id');
    await a.keyboard.press('ArrowUp');
    await a.keyboard.press('ArrowUp');
    await a.keyboard.press('ArrowUp');
    await a.waitForSelector(`[data-testid=duty-detail][data-id="${first}"]`);
    await a.keyboard.press('ArrowDown');
    const second = await a.getAttribute('[data-testid=queue-item] >> nth=1', 'data-id');
    await a.waitForSelector(`[data-testid=duty-detail][data-id="${second}"]`);
  });
});
