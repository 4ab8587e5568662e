import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../local/sandbox/seed';
import { launchBrowser } from '../support/browser';
import { destinations, E2E_TOKEN, startTestRuntime, type TestRuntime } from '../support/runtime';

/** The web console in a real browser, against the whole local service. */
describe('web console', () => {
  let t: TestRuntime;
  let browser: Browser;
  let page: Page;
  let succeeded: string;
  let rolledBack: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestRuntime(), launchBrowser()]);
    succeeded = (await t.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('console-inbound') })).id;
    rolledBack = (await t.api.provision({ phoneNumberId: DEMO.numbers.tenDlc, destination: destinations.snsFifoTopicPolicy() })).id;
    await t.api.waitForEnd(succeeded);
    await t.api.waitForEnd(rolledBack);
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('asks for the token, then lists the provisionings with their status', async () => {
    await page.goto(`${t.rt.api.url}/console`);
    await page.locator('#token').waitFor({ state: 'visible' });

    await page.fill('#token', E2E_TOKEN);
    await page.click('#login-form button');

    const row = page.locator(`tr[data-id="${succeeded}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.status').textContent()).toBe('SUCCEEDED');
    expect(await page.locator(`tr[data-id="${rolledBack}"] .status`).textContent()).toBe('ROLLED_BACK');
    expect(await page.locator(`tr[data-id="${rolledBack}"]`).textContent()).toContain('DestinationNotUsable');
  });

  it('shows the path a rolled-back execution took and the error that started the rollback', async () => {
    await page.click(`tr[data-id="${rolledBack}"]`);

    await page.locator('#steps li').first().waitFor();
    const steps = await page.locator('#steps li').allTextContents();
    expect(steps.map((s) => s.split(' — ')[0])).toEqual(expect.arrayContaining(['AcquireLock', 'EnsureTopic', 'UndoTopic', 'RolledBack']));
    expect(steps.find((s) => s.startsWith('EnsureTopic'))).toMatch(/caught.*FIFO/s);
    expect(await page.locator('#detail-error').textContent()).toMatch(/DestinationNotUsable: .*FIFO topic/);
    expect(await page.locator('#redrive').isHidden()).toBe(true);
    await page.locator('#audit li', { hasText: 'no AWS change was made' }).waitFor();
  });

  it('shows the audit trail of a successful provisioning, intent before outcome', async () => {
    await page.click(`tr[data-id="${succeeded}"]`);

    await page.locator('#audit li', { hasText: 'sns:CreateTopic' }).first().waitFor();
    const audit = await page.locator('#audit li').allTextContents();
    const intent = audit.findIndex((a) => a.includes('intent sns:CreateTopic'));
    const outcome = audit.findIndex((a) => a.includes('outcome sns:CreateTopic') && a.includes('succeeded'));
    expect(intent).toBeGreaterThanOrEqual(0);
    expect(outcome).toBeGreaterThan(intent);
    expect(audit.some((a) => a.includes('sms-voice:UpdatePhoneNumber'))).toBe(true);
    await page.screenshot({ path: `${t.dataDir}/console.png`, fullPage: true });
  });

  it('after a deprovisioning, shows the role kept because AWS cannot clear TwoWayChannelRole, and the up-front note', async () => {
    const res = await t.api.call('DELETE', `/v1/phone-numbers/${encodeURIComponent(DEMO.numbers.longCode)}/two-way`);
    expect(res.status).toBe(202);
    expect((await t.api.waitForEnd(res.body.id)).status).toBe('SUCCEEDED');

    await page.click(`tr[data-id="${succeeded}"]`);
    const retained = page.locator('#resources li.retained');
    await retained.waitFor({ timeout: 10_000 });
    expect(await retained.textContent()).toMatch(/^role undone arn:aws:iam::123456789012:role\/two-way-sms\/.*retained because AWS cannot clear TwoWayChannelRole/s);
    const notes = await page.locator('#audit li .note').allTextContents();
    expect(notes.some((n) => n.startsWith('not exactly reversible'))).toBe(true);
  });

  it('serves the console with a Content-Security-Policy that allows only its own origin', async () => {
    const res = await fetch(`${t.rt.api.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
