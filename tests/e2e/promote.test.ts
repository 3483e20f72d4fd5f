// End-to-end Promote in Debian's Chromium: a creator opens their own video, promotes it with coins (a field error
// first), sees it running in "My promotions", another person gets it in their feed as Sponsored by the creator,
// and the creator stops it early. Screenshots land in test-output/.
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { repoRoot } from '../../server/src/context.ts';
import { SANDBOX_CARDS } from '../../server/src/modules/payments/sandbox-provider.ts';

const outDir = path.join(repoRoot, 'test-output');
// FLICK_WEB_DIST: a web build elsewhere (so a local run need not rebuild web/dist under other running tests).
const webDist = process.env.FLICK_WEB_DIST ?? path.join(repoRoot, 'web', 'dist');

describe('Promote end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let creator: TestUser;
  let videoId: string;

  before(async () => {
    t = await createTestApp({ http: { webDist } });
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser({ autoplay: true });
    creator = await t.newUser({ username: 'promo_cora', displayName: 'Cora Promo' });
    const other = await t.newUser();
    for (let i = 0; i < 20; i++) await insertReadyVideo(t, { userId: other.me.id, at: new Date(Date.now() - i * 60_000), caption: `organic ${i}` });
    await t.ctx.recsys.reloadCatalog();
    videoId = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'Promote me #cats' });
    await creator.client.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
    await t.ctx.jobs['payments.deliver']({}, undefined as never);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('a creator promotes their video with coins and stops it early', async () => {
    await page.goto(`${t.baseUrl}/login?next=${encodeURIComponent(`/v/${videoId}`)}`);
    await page.getByTestId('login-username').fill('promo_cora');
    await page.getByTestId('login-password').fill(creator.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${t.baseUrl}/v/${videoId}`);
    await page.getByTestId('promote-open').click();
    await page.getByTestId('promote-form').waitFor();

    // Too small a budget: the contract's message, nothing sent.
    await page.getByTestId('promote-amount').fill('100');
    await page.getByTestId('promote-submit').click();
    await page.getByText(/at least 500 coins/).waitFor();
    // More coins than the wallet holds.
    await page.getByTestId('promote-amount').fill('5000');
    await page.getByTestId('promote-submit').click();
    await page.getByText(/You have 1000 coins/).waitFor();

    await page.getByTestId('promote-goal-follows').check();
    await page.getByTestId('promote-days').selectOption('2');
    await page.getByTestId('promote-amount').fill('600');
    await page.getByTestId('promote-submit').click();
    const item = page.locator('[data-testid="promote-item"][data-status="active"]');
    await item.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(outDir, 'promote-running.png'), fullPage: true });
    assert.equal((await creator.client.call('wallet')).coins, 400);

    // Another person's For You feed carries it, Sponsored by the creator.
    const viewer = await t.newUser();
    const sponsored = [];
    // Smooth pacing enters a new group in about 1 auction in 5 at first: scroll sessions until it wins one.
    for (let s = 0; s < 30 && !sponsored.length; s++) {
      let cursor: string | undefined;
      for (let i = 0; i < 2; i++) {
        const p = await viewer.client.call('forYou', { query: { limit: 10, cursor } });
        sponsored.push(...p.items.filter((x) => x.sponsored && x.video.id === videoId));
        cursor = p.nextCursor ?? undefined;
      }
    }
    assert.ok(sponsored.length >= 1, 'delivered in another feed');
    assert.equal(sponsored[0]!.sponsored!.by, 'Cora Promo');
    await t.ctx.adsRuntime.flush();
    // The list refreshes on its own: impressions appear.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="promote-item"] [data-testid="promote-impressions"]')?.textContent ?? '0') > 0,
      undefined,
      { timeout: 15_000 },
    );

    await item.getByTestId('promote-stop').click();
    await page.locator('[data-testid="promote-item"][data-status="stopped"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(outDir, 'promote-stopped.png'), fullPage: true });
    const [p] = (await creator.client.call('myPromotions', { query: { videoId } })).items;
    assert.equal(p!.status, 'stopped');

    // Spark ads: a code for a brand, shown once, then revoked.
    await page.getByTestId('spark-days').selectOption('7');
    await page.getByTestId('spark-create').click();
    const code = (await page.getByTestId('spark-code').locator('code').textContent())!;
    assert.match(code, /^SPK(-[A-Z2-9]{5}){4}$/);
    await page.locator('[data-testid="spark-item"][data-status="active"]').waitFor();
    await page.getByTestId('spark-revoke').click();
    await page.locator('[data-testid="spark-item"][data-status="revoked"]').waitFor();
    assert.equal((await creator.client.call('mySparkCodes')).items[0]!.status, 'revoked');
  });

  test("the creator promotes a video from their own profile grid (the same Promote sheet); others' grids have no Promote", async () => {
    const second = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'Second one #dogs' });
    await creator.client.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
    await t.ctx.jobs['payments.deliver']({}, undefined as never);
    const coins = (await creator.client.call('wallet')).coins;
    assert.ok(coins >= 500);

    await page.goto(`${t.baseUrl}/@promo_cora`);
    const tile = page.locator(`[data-testid="profile-grid"] li[data-video-id="${second}"]`);
    await tile.waitFor();
    assert.equal(await page.locator('[data-testid="profile-grid"] [data-testid="promote-open"]').count(), 2, 'one Promote per own ready video');
    await page.screenshot({ path: path.join(outDir, 'promote-grid.png'), fullPage: false });
    await tile.getByTestId('promote-open').click();
    await page.getByTestId('promote-form').waitFor();
    assert.equal(page.url(), `${t.baseUrl}/@promo_cora`, 'the sheet opens over the grid instead of following the tile link');
    await page.getByTestId('promote-goal-profile_visits').check();
    await page.getByTestId('promote-days').selectOption('1');
    await page.getByTestId('promote-amount').fill('500');
    await page.getByTestId('promote-submit').click();
    await page.locator('[data-testid="promote-item"][data-status="active"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(outDir, 'promote-from-grid.png'), fullPage: false });
    const mine = (await creator.client.call('myPromotions', { query: { videoId: second } })).items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.goal, 'profile_visits');
    assert.equal(mine[0]!.status, 'active');
    assert.equal((await creator.client.call('wallet')).coins, coins - 500);

    // Someone else's grid: no Promote on videos that are not yours.
    const other = await t.newUser({ username: 'promo_other' });
    await insertReadyVideo(t, { userId: other.me.id, at: new Date(), caption: 'not yours' });
    await page.goto(`${t.baseUrl}/@promo_other`);
    await page.locator('[data-testid="profile-grid"][data-state="ready"]').waitFor();
    assert.equal(await page.locator('[data-testid="profile-grid"] [data-testid="promote-open"]').count(), 0);
  });
});
