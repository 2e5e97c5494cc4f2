/**
 * The national duty console in Debian's chromium (REGION_ROOT=00 over 甘肃 and 广东): its 督办考核
 * tab shows the provinces' 职能部门 summed per province and ranked, and its 大屏调度 panel puts a
 * moment of the whole country up on a national wall in one click (回放上墙), which the wall then
 * plays from the provinces' replay records.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, signedInContext } from '../helpers/browser.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import { drained } from '../helpers/drain.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { regionsWith } from '../helpers/provinces.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createKeys } from '../../server/redis/keys.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

const PROVINCES = ['44', '62'];
let dir: string;
let tree: RegionTree;
let t: TestServer;
let browser: Browser;
let consolePage: Page;
let wallPage: Page;
const tokens: Record<string, string> = {};
/** A moment after every province's replay record began, with cases in both. */
let moment = 0;

async function call(method: string, path: string, who: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as { alert?: AlertView; alerts?: AlertView[] } };
}

function villageOf(province: string): string {
  let c = province;
  while (c.length < 12) c = tree.children(c).find((k) => !/虚拟/.test(k.name))!.code;
  return c;
}

async function departmentUser(username: string, region: string, department: string): Promise<void> {
  const password = `pw-${username}-12345`;
  const r = await call('POST', '/users', 'admin', { username, password, role: 'department', region, department });
  expect(r.status).toBe(201);
  tokens[username] = await t.login(username, password);
}

beforeAll(async () => {
  await ensureClientBuild();
  dir = regionsWith(PROVINCES);
  tree = await loadRegionTree('00', dir, PROVINCES);
  t = await startTestServer({ tree, env: { PROVINCES: PROVINCES.join(','), AGGREGATOR: 'inline' } });
  tokens.admin = await t.login('admin', t.adminPassword);
  tokens.commander = await t.userToken('nation-commander', 'commander', '00');
  await departmentUser('gd-police', '44', 'dep-44-police');
  await departmentUser('gs-police', '62', 'dep-62-police');
  // A red alert in each province, dispatched by its desk to the province's 公安, which reports in;
  // 广东's feeds back too.
  const posted = await t.postEvents(PROVINCES.map((p) => killThreatDispute(`nc-${p}`, { region: villageOf(p) })));
  expect(posted.status).toBe(200);
  for (const p of PROVINCES) await drained(t.server.redis, createKeys(p).events);
  // The moment to replay: the next whole minute (the form takes minutes) after each province's
  // first commit, where its replay record begins; the replay test waits until it has passed.
  moment = Math.ceil((Date.now() + 1000) / 60_000) * 60_000;
  for (const p of PROVINCES) {
    const id = `nc-${p}`;
    let alert: AlertView | undefined;
    for (let i = 0; i < 100 && !alert; i++) {
      alert = (await call('GET', `/alerts?region=${p}`, 'commander')).body.alerts?.find(
        (a) => a.caseId === `${id}-case`,
      );
      if (!alert) await new Promise((r) => setTimeout(r, 100));
    }
    tokens[`desk-${p}`] = await t.userToken(`desk-${p}`, 'duty', alert!.desk);
    expect((await call('POST', `/alerts/${alert!.id}/ack`, `desk-${p}`, {})).status).toBe(200);
    const d = await call('POST', `/alerts/${alert!.id}/dispatch`, `desk-${p}`, { departments: [`dep-${p}-police`] });
    expect(d.status).toBe(200);
    const dep = p === '44' ? 'gd-police' : 'gs-police';
    expect((await call('POST', `/alerts/${alert!.id}/checkin`, dep, {})).status).toBe(200);
    if (p === '44')
      expect(
        (await call('POST', `/alerts/${alert!.id}/feedback`, dep, { text: '已控制持刀人员', result: 'handled' }))
          .status,
      ).toBe(200);
  }
  tokens.wall = await t.userToken('nation-wall', 'wall', '00');
  browser = await launchChromium();
  const commander = await signedInContext(browser, tokens.commander, {
    username: 'nation-commander',
    role: 'commander',
    region: '00',
  });
  consolePage = await commander.newPage();
  const wall = await signedInContext(browser, tokens.wall, { username: 'nation-wall', role: 'wall', region: '00' });
  wallPage = await wall.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the national console', () => {
  it('shows the provinces’ 职能部门 in its 督办考核, summed per province and ranked', async () => {
    await consolePage.goto(`${t.url}/duty?tab=assessment`);
    const table = consolePage.getByTestId('assessment-child-departments');
    await table.waitFor({ timeout: 20_000 });
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.replace(/\s+/g, ' ').trim())),
      );
    expect(rows.map((r) => r[0])).toEqual(['广东省', '甘肃省']);
    // Each province: one department dispatched to, reported in on time (1/1); 广东 fed back (1/1).
    for (const r of rows) {
      expect(r[1], r[0]).toBe('1');
      expect(r[2], r[0]).toContain('1/1');
    }
    expect(rows[0]![3]).toContain('1/1');
    // 甘肃's feedback is owed, not late: nothing to rate yet.
    expect(rows[1]![3]).toBe('无');
    // The nation's own registry is empty, and says so.
    expect(await consolePage.getByTestId('assessment-departments').textContent()).toContain('全国层面未登记职能部门');
    await screenshot(consolePage, 'nation-console-departments');
  }, 60_000);

  it('puts a moment of the whole country up on a national wall, which plays it (回放)', async () => {
    await wallPage.goto(`${t.url}/?wall=${encodeURIComponent('国家主屏')}`);
    await wallPage.waitForSelector('[data-testid=wall][data-region="00"][data-wall-id^="w-"]', { timeout: 30_000 });
    // Up to a minute of waiting for the moment (the next whole minute), which the timeout allows
    // for on top of the minute the steps may take: a quick beforeAll left too little of 60 s.
    while (Date.now() < moment + 2000) await new Promise((r) => setTimeout(r, 250));
    await consolePage.goto(`${t.url}/duty`);
    await consolePage.click('[data-testid=walls-toggle]');
    await consolePage.waitForSelector('[data-testid=walls-panel]');
    await consolePage.selectOption('[data-testid=replay-region]', '00');
    const typed = new Date(moment + 8 * 3_600_000).toISOString().slice(0, 16);
    await consolePage.fill('[data-testid=replay-at]', typed);
    await consolePage.selectOption('[data-testid=replay-speed]', '60');
    await consolePage.click('[data-testid=replay-pick]');
    await consolePage.click('[data-testid=replay-push] [data-testid=pick-wall][data-name=国家主屏]');
    await screenshot(consolePage, 'nation-console-replay');
    await consolePage.click('[data-testid=replay-push] [data-testid=pick-push]');

    await wallPage.waitForSelector('[data-testid=wall][data-mode=replay][data-region="00"]', { timeout: 15_000 });
    await wallPage.waitForSelector('[data-testid=replay-band]');
    expect(await wallPage.getByTestId('replay-band').textContent()).toContain('回放');
    // What it shows is the country as it was: the replayed snapshot's figures, both provinces in it.
    const asOf = Number(
      await wallPage
        .waitForFunction(
          (from) => {
            const t = Date.parse(document.querySelector('[data-testid=wall]')?.getAttribute('data-asof') ?? '');
            return t >= from && t < from + 10 * 60_000 ? t : false;
          },
          moment,
          { polling: 200, timeout: 15_000 },
        )
        .then((h) => h.jsonValue()),
    );
    const then = (
      await fetch(`${t.url}/api/v1/snapshot/00?at=${encodeURIComponent(new Date(asOf).toISOString())}`, {
        headers: { authorization: `Bearer ${tokens.commander}` },
      })
    ).json() as Promise<Snapshot>;
    const snap = await then;
    expect(snap.children.map((c) => c.code)).toEqual(PROVINCES);
    expect(snap.counts.today.dispute).toBeGreaterThanOrEqual(2);
    await wallPage.waitForSelector('[data-testid=region-map][data-map="china"]', { timeout: 15_000 });
    await wallPage.waitForTimeout(1500); // the map's colours settle
    await screenshot(wallPage, 'nation-wall-replay-1080');
  }, 125_000);
});
