// End-to-end money: a viewer buys coins through the sandbox with a 3-D Secure step, sends a gift that animates on a
// real video, the creator sees diamonds and asks for a cash-out that an admin approves; then support refunds the
// purchase and the coins are clawed back. Debian's Chromium; screenshots land in test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, eventually, type TestApp } from '../../server/src/testing/harness.ts';
import { makeClip } from '../../server/src/testing/clips.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');

describe('money end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let tmp: string;
  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-e2e-money-'));
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `money-${name}.png`) });
  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    return page;
  };
  const logIn = async (page: Page, username: string, password: string, next: string) => {
    await page.goto(`${t.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${t.baseUrl}${next}`);
  };
  /** Buy a package in the wallet page with the 3-D Secure test card, completing the bank's step. */
  const buyWith3ds = async (page: Page, packageId: string, coinsAfter: string) => {
    await page.goto(`${t.baseUrl}/wallet`);
    await page.getByTestId(`package-${packageId}`).click();
    await page.getByTestId('card-3184').check();
    await shot(page, `checkout-${packageId}`);
    await page.getByTestId('pay-button').click();
    await page.waitForURL(/\/wallet\/3ds\//);
    await page.getByTestId('three-ds').waitFor();
    await shot(page, `3ds-${packageId}`);
    await page.getByTestId('three-ds-approve').click();
    await page.waitForURL(/\/wallet(\?|$)/);
    try {
      await page.waitForFunction((want) => document.querySelector('[data-testid="wallet-coins"]')?.textContent === want, coinsAfter, { timeout: 30_000 });
    } catch (err) {
      await shot(page, 'failure');
      console.log('# wallet page:', await page.locator('main').innerText());
      throw err;
    }
  };

  test('buy coins with 3-D Secure, gift on a video, cash out with staff approval, refund claws back', async () => {
    // A creator with a real, transcoded video.
    const creator = await t.newUser({ username: 'money_creator' });
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 4, width: 540, height: 960, name: 'money.mp4' });
    const form = new FormData();
    form.set('caption', 'Gift me a rose #money');
    form.set('file', new Blob([await fsp.readFile(clip)], { type: 'video/mp4' }), 'money.mp4');
    const up = (await (await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: creator.cookie }, body: form })).json()) as { id: string };
    await eventually(async () => ((await creator.client.call('video', { params: { id: up.id } })).status === 'ready' ? true : undefined), 90_000);

    // The viewer signs up in the browser and buys 5,000 coins through the bank's 3-D Secure step.
    const viewer = await newPage();
    await viewer.goto(`${t.baseUrl}/signup`);
    await viewer.getByTestId('signup-username').fill('money_viewer');
    await viewer.getByTestId('signup-password').fill('a long enough password');
    await viewer.getByTestId('signup-birthdate').fill('1990-02-03');
    await viewer.getByTestId('signup-submit').click();
    await viewer.waitForURL(`${t.baseUrl}/`);
    await viewer.getByTestId('nav-wallet').click();
    await viewer.getByTestId('wallet-page').waitFor();
    await buyWith3ds(viewer, 'coins_5000', '5,000');
    await viewer.getByTestId('wallet-status').waitFor();
    await shot(viewer, 'wallet-after-purchase');

    // A gift on the video: the sheet, the animation over the video, the counter.
    await viewer.goto(`${t.baseUrl}/v/${up.id}`);
    await viewer.getByTestId('gift-button').click();
    await viewer.getByTestId('gift-sheet').waitFor();
    await viewer.waitForFunction(() => document.querySelector('[data-testid="gift-sheet-coins"]')?.textContent === '5,000');
    await shot(viewer, 'gift-sheet');
    await viewer.getByTestId('gift-galaxy').click();
    const burst = viewer.getByTestId('gift-animation');
    await burst.waitFor({ timeout: 10_000 });
    assert.equal(await burst.getAttribute('data-gift'), 'galaxy');
    // The animation is running on top of the video (an image mid-keyframe, not a static picture).
    const anim = await viewer.evaluate(() => {
      const img = document.querySelector('[data-testid="gift-animation"] img');
      return img ? getComputedStyle(img).animationName : '';
    });
    assert.equal(anim, 'gift-burst');
    await viewer.waitForTimeout(600);
    await shot(viewer, 'gift-animation');
    await burst.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await viewer.getByTestId('gift-count').textContent(), '1');
    const counter = await t.anon.call('videoGifts', { params: { id: up.id } });
    assert.equal(counter.gifts, 1);
    assert.equal(counter.coins, 5000);

    // The creator sees diamonds (50 % of 5,000 coins) and asks for a $10 cash-out.
    const creatorPage = await newPage();
    await logIn(creatorPage, 'money_creator', creator.password, '/earnings');
    await creatorPage.waitForFunction(() => document.querySelector('[data-testid="earnings-diamonds"]')?.textContent?.includes('2,500'), undefined, {
      timeout: 15_000,
    });
    assert.equal(await creatorPage.getByTestId('earnings-usd').textContent(), '$25.00');
    await creatorPage.getByTestId('earnings-by-gifter').getByText('@money_viewer').waitFor();
    await creatorPage.getByTestId('cash-out-amount').fill('1000');
    await creatorPage.getByTestId('cash-out-submit').click();
    await creatorPage.waitForSelector('[data-testid="my-payouts"] li[data-status="pending"]');
    await creatorPage.waitForFunction(() => document.querySelector('[data-testid="earnings-diamonds"]')?.textContent?.includes('1,500'));
    await shot(creatorPage, 'earnings-cash-out-requested');

    // An admin approves it on the staff page; the sandbox payout provider pays.
    const admin = await t.newUser({ username: 'money_admin' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'admin'] })
      .where('id', '=', admin.me.id)
      .execute();
    const staff = await newPage();
    await logIn(staff, 'money_admin', admin.password, '/staff/payouts');
    const row = staff.locator('[data-testid="payout-row"][data-user="money_creator"]');
    await row.waitFor();
    await shot(staff, 'staff-payouts');
    await row.getByTestId('payout-approve').click();
    await row.waitFor({ state: 'detached' });
    await creatorPage.reload();
    await creatorPage.waitForSelector('[data-testid="my-payouts"] li[data-status="paid"]');
    await shot(creatorPage, 'earnings-paid');
    const paid = await t.ctx.dbh.db.selectFrom('sandbox_payouts').selectAll().execute();
    assert.equal(paid.length, 1);
    assert.equal(paid[0]!.amount_cents, 1000);

    // The viewer buys 100 more coins; then support refunds the 5,000-coin purchase: the 100 unspent coins are
    // clawed back and the 4,900 already gifted become a recovery balance that blocks gifting.
    await buyWith3ds(viewer, 'coins_100', '100');
    await staff.goto(`${t.baseUrl}/staff/wallets/money_viewer`);
    const big = staff.locator('[data-testid="support-purchases"] li', { hasText: '5,000 coins' });
    await big.getByTestId('support-refund').click();
    await staff.waitForFunction(() => document.querySelector('[data-testid="support-recovery"]')?.textContent === '4,900', undefined, { timeout: 30_000 });
    assert.equal(await staff.getByTestId('support-coins').textContent(), '0');
    await staff.getByTestId('support-flags').getByText('recovery_balance').waitFor();
    await shot(staff, 'support-after-refund');
    await viewer.goto(`${t.baseUrl}/wallet`);
    await viewer.waitForFunction(() => document.querySelector('[data-testid="wallet-coins"]')?.textContent === '0');
    await viewer.getByTestId('wallet-restriction').waitFor();
    assert.match((await viewer.getByTestId('wallet-restriction').textContent()) ?? '', /4900 coins/);
    await shot(viewer, 'wallet-after-refund');
    const report = await t.ctx.ledger.reconcile();
    assert.equal(report.ok, true);
  });
});
