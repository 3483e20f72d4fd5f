// End-to-end advertising in Debian's Chromium: an advertiser builds advertiser → campaign → ad group → ad in the ads
// manager (field errors first), a moderator approves the ad in /staff/ads, and the report page shows what was served.
// Each step is its own test sharing `s`, in order, so later steps (top-up, delivery in another user's feed, click
// through) slot in between. Screenshots land in test-output/.
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, eventually, insertReadyVideo, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { makeClip } from '../../server/src/testing/clips.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');
// FLICK_WEB_DIST: a web build elsewhere (so a local run need not rebuild web/dist under other running tests).
const webDist = process.env.FLICK_WEB_DIST ?? path.join(repoRoot, 'web', 'dist');

describe('advertising end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let tmp: string;
  /** What the steps share. */
  const s = {} as {
    brand: TestUser;
    brandPage: Page;
    staff: TestUser;
    videoId: string;
    advertiserId: string;
    campaignId: string;
    groupId: string;
    adId: string;
  };

  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist } });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-e2e-ads-'));
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser({ autoplay: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `ads-${name}.png`), fullPage: true });
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
  const query = (page: Page, key: string) => new URL(page.url()).searchParams.get(key);

  test('the brand uploads its ad video and opens the ads manager', async () => {
    s.brand = await t.newUser({ username: 'ads_brand' });
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 4, width: 540, height: 960, name: 'ad.mp4' });
    const form = new FormData();
    form.set('caption', 'Crunchy cat food #cats');
    form.set('file', new Blob([new Uint8Array(await fsp.readFile(clip))], { type: 'video/mp4' }), 'ad.mp4');
    s.videoId = (await s.brand.client.call('uploadVideo', { form })).id;
    await eventually(async () => ((await s.brand.client.call('video', { params: { id: s.videoId } })).status === 'ready' ? true : undefined), 90_000);

    s.brandPage = await newPage();
    await logIn(s.brandPage, 'ads_brand', s.brand.password, '/discover');
    await s.brandPage.getByTestId('ads-manager-link').click();
    await s.brandPage.getByTestId('ads-page').waitFor();
  });

  test('create an advertiser account', async () => {
    const page = s.brandPage;
    // An empty name is refused under the field, before anything is sent.
    await page.getByTestId('advertiser-create').click();
    await page.getByText(/a name is required/).waitFor();
    await page.getByTestId('advertiser-name').fill('Crunchy Cats Ltd');
    await page.getByTestId('advertiser-website').fill('https://crunchy.example');
    await page.getByTestId('advertiser-create').click();
    await page.waitForURL(/\/ads\?advertiser=/);
    s.advertiserId = query(page, 'advertiser')!;
    const mine = await s.brand.client.call('myAdvertisers');
    assert.deepEqual(
      mine.items.map((a) => [a.id, a.name, a.role]),
      [[s.advertiserId, 'Crunchy Cats Ltd', 'owner']],
    );
  });

  test('top up the balance by card (a declined card adds nothing)', async () => {
    const page = s.brandPage;
    await page.getByTestId('ads-balance').waitFor();
    assert.equal(await page.getByTestId('balance-available').innerText(), '$0.00');
    await page.getByTestId('topup-amount').fill('5');
    await page.getByTestId('topup-submit').click();
    await page.getByTestId('error-topup-amount').waitFor();
    assert.match(await page.getByTestId('error-topup-amount').innerText(), /at least \$10\.00/);

    await page.getByTestId('topup-amount').fill('25');
    await page.getByTestId('topup-card-0002').check();
    await page.getByTestId('topup-submit').click();
    await page.waitForFunction(() => /failed/.test(document.querySelector('[data-testid="topup-status"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.equal(await page.getByTestId('balance-available').innerText(), '$0.00');

    await page.getByTestId('topup-amount').fill('1000');
    await page.getByTestId('topup-card-4242').check();
    await page.getByTestId('topup-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="balance-available"]')?.textContent === '$1,000.00', undefined, { timeout: 30_000 });
    await shot(page, 'balance');
    const b = await s.brand.client.call('adBalance', { params: { id: s.advertiserId } });
    assert.equal(b.availableCents, 100_000);
  });

  test('buy a one-day sponsored hashtag challenge from the balance', async () => {
    const page = s.brandPage;
    await page.getByTestId('new-challenge').click();
    await page.getByTestId('challenge-title').fill('The Crunch Challenge');
    await page.getByTestId('challenge-hashtag').fill('#CrunchChallenge');
    await page.getByTestId('challenge-slug').fill('crunch-challenge');
    const start = await page.getByTestId('challenge-starts').inputValue();
    await page.getByTestId('challenge-ends').fill(start);
    await page.getByTestId('challenge-buy').click();
    await page.getByTestId('error-challenge-endsAt').waitFor();
    const end = new Date(new Date(start).getTime() + 86_400_000);
    const local = new Date(end.getTime() - end.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByTestId('challenge-ends').fill(local);
    assert.match(await page.getByTestId('challenge-fee').innerText(), /1 day · \$500\.00/);
    await page.getByTestId('challenge-buy').click();
    const row = page.locator('[data-testid="challenge-row"][data-hashtag="crunchchallenge"]');
    await row.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="balance-available"]')?.textContent === '$500.00', undefined, { timeout: 10_000 });
    await row.getByTestId('challenge-report-toggle').click();
    await row.getByTestId('challenge-report').waitFor();
    await shot(page, 'challenge');
  });

  test('create a campaign; pause, resume and duplicate it', async () => {
    const page = s.brandPage;
    await page.getByTestId('campaign-name').fill('Winter launch');
    await page.getByTestId('campaign-objective').selectOption('video_views');
    await page.getByTestId('campaign-create').click();
    await page.waitForURL(/campaign=/);
    s.campaignId = query(page, 'campaign')!;

    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    const row = page.locator(`[data-testid="campaign-row"][data-name="Winter launch"]`);
    await row.getByTestId('campaign-toggle').click();
    await page.locator(`[data-testid="campaign-row"][data-name="Winter launch"][data-status="paused"]`).waitFor();
    await row.getByTestId('campaign-toggle').click();
    await page.locator(`[data-testid="campaign-row"][data-name="Winter launch"][data-status="active"]`).waitFor();
    await row.getByTestId('campaign-duplicate').click();
    await page.locator(`[data-testid="campaign-row"][data-name="Winter launch (copy)"][data-status="paused"]`).waitFor();
    await shot(page, 'campaigns');
    await row.getByTestId('campaign-link').click();
    await page.waitForURL(new RegExp(`campaign=${s.campaignId}`));
  });

  test('create a targeted ad group; bad values are named under their fields', async () => {
    const page = s.brandPage;
    await page.getByTestId('new-ad-group').click();
    await page.getByTestId('group-name').fill('US & Canada, cat people');
    await page.getByTestId('group-budget').fill('2');
    await page.getByTestId('group-countries').fill('usa');
    await shot(page, 'ad-group-form');
    await page.getByTestId('group-create').click();
    await page.getByTestId('error-group-budget').waitFor();
    assert.match(await page.getByTestId('error-group-budget').innerText(), /at least \$5\.00/);
    assert.match(await page.getByTestId('error-group-countries').innerText(), /two-letter/);
    // A restricted category may not target 13–17 year-olds.
    await page.getByTestId('group-restricted').check();
    await page.getByTestId('age-13-17').check();
    await page.getByTestId('group-create').click();
    await page.getByTestId('error-age').waitFor();
    assert.match(await page.getByTestId('error-age').innerText(), /13–17/);
    await shot(page, 'ad-group-errors');

    await page.getByTestId('age-13-17').uncheck();
    await page.getByTestId('group-restricted').uncheck();
    await page.getByTestId('group-budget').fill('50');
    await page.getByTestId('group-countries').fill('US, ca');
    await page.getByTestId('age-18-24').check();
    await page.getByTestId('age-25-34').check();
    await page.getByTestId('device-ios').check();
    await page.getByTestId('group-interests').fill('#Cats, kittens');
    await page.getByTestId('group-billing').selectOption('CPM');
    await page.getByTestId('group-bid').fill('8');
    await page.getByTestId('group-cap-on').check();
    await page.getByTestId('group-cap-max').fill('2');
    await page.getByTestId('group-cap-days').fill('1');
    await page.getByTestId('group-create').click();
    await page.waitForURL(/group=/);
    s.groupId = query(page, 'group')!;
    await page.getByTestId('ad-group-summary').waitFor();
    assert.match(await page.getByTestId('ad-group-targeting').innerText(), /ages 18-24, 25-34 · US, CA · ios · interested in #cats #kittens/);

    const [g] = (await s.brand.client.call('adGroups', { params: { id: s.campaignId } })).items;
    assert.ok(g);
    assert.deepEqual(g.budget, { period: 'daily', amountCents: 5000 });
    assert.equal(g.bidCents, 800);
    assert.deepEqual(g.frequencyCap, { max: 2, days: 1 });
    assert.deepEqual(g.targeting.countries, ['US', 'CA']);
  });

  test('create an ad from the ready video; a javascript: landing URL is refused', async () => {
    const page = s.brandPage;
    await page.getByTestId('new-ad').click();
    await page.getByTestId('ad-name').fill('Crunch spot');
    await page.locator('.ads-video').first().click();
    await page.getByTestId('ad-cta-text').fill('Shop now');
    await page.getByTestId('ad-cta-url').fill('javascript:alert(1)');
    await page.getByTestId('ad-create').click();
    await page.getByTestId('error-ad-url').waitFor();
    assert.match(await page.getByTestId('error-ad-url').innerText(), /http/);
    await page.getByTestId('ad-cta-url').fill('https://crunchy.example/shop');
    await page.getByTestId('ad-create').click();
    await page.locator('[data-testid="ad-row"][data-name="Crunch spot"][data-review="pending"]').waitFor();
    await shot(page, 'ad-pending');
    const [ad] = (await s.brand.client.call('ads', { params: { id: s.groupId } })).items;
    assert.ok(ad);
    assert.equal(ad.videoId, s.videoId);
    s.adId = ad.id;
  });

  test('a moderator approves the ad in /staff/ads', async () => {
    s.staff = await t.newUser({ username: 'ads_moderator' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'moderator'] })
      .where('id', '=', s.staff.me.id)
      .execute();
    const page = await newPage();
    await logIn(page, 'ads_moderator', s.staff.password, '/staff/ads');
    const item = page.locator(`[data-testid="review-item"][data-ad="${s.adId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /Crunchy Cats Ltd/);
    assert.match(await item.innerText(), /crunchy\.example/);
    // Rejecting needs a reason the advertiser can act on.
    await item.getByTestId('review-reject').click();
    await item.getByTestId('error').waitFor();
    assert.match(await item.getByTestId('error').innerText(), /needs a reason/);
    await shot(page, 'review');
    await item.getByTestId('review-approve').click();
    await page.getByTestId('review-empty').waitFor();

    await s.brandPage.reload();
    await s.brandPage.locator('[data-testid="ad-row"][data-name="Crunch spot"][data-review="approved"]').waitFor();
  });

  test("a Spark ad boosts a creator's video with the creator's code", async () => {
    const creator = await t.newUser({ username: 'ads_spark_creator' });
    const videoId = await insertReadyVideo(t, { userId: creator.me.id, caption: 'my cat reviews crunchy food #cats', at: new Date() });
    const { code } = await creator.client.call('createSparkCode', { body: { videoId, days: 7 } });

    const page = s.brandPage;
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}&campaign=${s.campaignId}&group=${s.groupId}`);
    await page.getByTestId('new-ad').click();
    await page.getByTestId('ad-kind-spark').check();
    await page.getByTestId('ad-name').fill('Creator review');
    await page.getByTestId('ad-cta-url').fill('https://crunchy.example/reviews');
    await page.getByTestId('ad-spark-code').fill('not-a-real-code');
    await page.getByTestId('ad-create').click();
    await page.getByTestId('error-ad-spark-code').waitFor();
    assert.match(await page.getByTestId('error-ad-spark-code').innerText(), /not valid/);
    await page.getByTestId('ad-spark-code').fill(code);
    await page.getByTestId('ad-create').click();
    await page.locator('[data-testid="ad-row"][data-name="Creator review"][data-review="pending"]').waitFor();
    const spark = (await s.brand.client.call('ads', { params: { id: s.groupId } })).items.find((a) => a.name === 'Creator review');
    assert.ok(spark?.spark);
    assert.equal(spark.videoId, videoId);
  });

  test('the campaign report shows served impressions, invalid traffic and a CSV', async () => {
    // Impressions as the ad server records them (delivery itself is exercised by the delivery steps).
    const now = Date.now();
    const row = (viewer: string, minutesAgo: number, over: Record<string, unknown> = {}) => ({
      id: crypto.randomUUID(),
      ad_id: s.adId,
      ad_group_id: s.groupId,
      campaign_id: s.campaignId,
      advertiser_id: s.advertiserId,
      viewer_key: viewer,
      billing: 'CPM' as const,
      price_micros: 8000,
      charged_micros: 8000,
      served_at: new Date(now - minutesAgo * 60_000),
      ...over,
    });
    await t.ctx.dbh.db
      .insertInto('ad_impressions')
      .values([
        row('v1', 50, {
          viewable_at: new Date(now - 49 * 60_000),
          view2s_at: new Date(now - 49 * 60_000),
          clicked_at: new Date(now - 48 * 60_000),
          watch_ms: 4000,
        }),
        row('v2', 40, { viewable_at: new Date(now - 39 * 60_000), watch_ms: 1500 }),
        row('v1', 30),
        row('bot', 20, { invalid: 'rate_per_ip', charged_micros: 0, clicked_at: new Date(now - 19 * 60_000) }),
      ])
      .execute();

    const page = s.brandPage;
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    await page.locator(`[data-testid="campaign-row"][data-name="Winter launch"]`).getByTestId('campaign-report').click();
    await page.getByTestId('ads-report-page').waitFor();
    await page.getByTestId('report-totals').waitFor();
    assert.equal(await page.getByTestId('report-title').innerText(), 'Winter launch');
    assert.match(await page.getByTestId('stat-impressions').innerText(), /^3\b/);
    assert.match(await page.getByTestId('stat-reach').innerText(), /^2\b/);
    assert.match(await page.getByTestId('stat-clicks').innerText(), /^1\b/);
    assert.match(await page.getByTestId('stat-spend').innerText(), /\$0\.024/);
    assert.equal(await page.locator('[data-testid="chart-delivery"] canvas').count(), 1);
    assert.match(await page.getByTestId('report-invalid').innerText(), /1 impression and 1 click were flagged.*never billed/s);
    assert.match(await page.getByTestId('report-breakdown').innerText(), /US & Canada, cat people/);
    await shot(page, 'report');

    const href = await page.getByTestId('csv-series').getAttribute('href');
    assert.ok(href);
    const res = await page.request.get(`${t.baseUrl}${href}`);
    assert.equal(res.status(), 200);
    const lines = (await res.text()).trim().split('\r\n');
    assert.match(lines.at(-1)!, /^total .*,3,2,1\.5,/);
  });

  test('another user sees the ad in For You, labelled, its views tracked, and clicks through', async () => {
    // A broad ad group beside the targeted one (a fresh viewer has no country, device or interests to match), and
    // organic videos around it: the ad slot is the feed's 8th position.
    const g = await s.brand.client.call('createAdGroup', {
      params: { id: s.campaignId },
      body: {
        name: 'Everyone',
        startAt: new Date(Date.now() - 60_000).toISOString(),
        endAt: null,
        budget: { period: 'daily', amountCents: 5000 },
        pacing: 'fast',
        bidStrategy: 'bid_cap',
        billing: 'CPM',
        bidCents: 800,
        targeting: {},
        frequencyCap: null,
        restricted: false,
      },
    });
    const ad = await s.brand.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'Crunch for all', videoId: s.videoId, cta: { text: 'Shop now', url: `${t.baseUrl}/discover?from=ad` } },
    });
    await s.staff.client.call('reviewAd', { params: { id: ad.id }, body: { decision: 'approve' } });
    // Newer and more watched than the ad's video, from many creators: the non-personalised For You (popular mode,
    // chosen below) then fills the first page with them, not with the ad's video — which, once shown organically,
    // would rightly keep its ad out of that feed session.
    const creators = await Promise.all(Array.from({ length: 10 }, (_, i) => t.newUser({ username: `ads_organic_${i}` })));
    for (let i = 0; i < 30; i++)
      await insertReadyVideo(t, { userId: creators[i % 10]!.me.id, caption: `organic ${i} #daily`, at: new Date(Date.now() - i * 1000), views: 500 + i });
    await t.ctx.recsys.reloadCatalog();
    await t.ctx.adsRuntime.refresh();

    const viewer = await t.newUser({ username: 'ads_viewer' });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const [name, value] = viewer.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    await context.addInitScript(() => localStorage.setItem('flick:for-you-mode', 'popular'));
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    const tracked: { impressionId: string; type: string }[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/api/ads/track')
        tracked.push(...(req.postDataJSON() as { events: { impressionId: string; type: string }[] }).events);
    });
    await page.goto(`${t.baseUrl}/`);
    await page.getByTestId('mode-label').waitFor();
    const sponsored = page.locator('[data-testid="feed-item"][data-sponsored="true"]').first();
    await sponsored.waitFor({ state: 'attached', timeout: 20_000 });
    const index = Number(await sponsored.getAttribute('data-index'));
    assert.ok(index > 0, 'never the first item');
    for (let i = 0; i < index; i++) {
      await page.keyboard.press('ArrowDown');
      await page.waitForSelector(`[data-testid="feed-item"][data-index="${i + 1}"][data-active="true"]`);
    }
    assert.match(await sponsored.getByTestId('sponsored-label').innerText(), /^Sponsored\s*· Crunchy Cats Ltd$/);
    const cta = sponsored.getByTestId('sponsored-cta');
    assert.equal(await cta.innerText(), 'Shop now');
    const href = (await cta.getAttribute('href'))!;
    const impressionId = /\/r\/ad\/([0-9a-f-]+)$/.exec(href)?.[1];
    assert.ok(impressionId, href);
    assert.equal(await cta.getAttribute('target'), '_blank');
    await shot(page, 'sponsored-in-feed');

    // The 4-second clip plays (and loops) past 6 seconds: viewable, 2-s and 6-s views and every quartile, once each.
    const row = await eventually(async () => {
      const r = await t.ctx.dbh.db.selectFrom('ad_impressions').selectAll().where('id', '=', impressionId).executeTakeFirst();
      return r?.view6s_at && r.q100_at ? r : undefined;
    }, 30_000);
    assert.equal(row.ad_id, ad.id);
    assert.equal(row.viewer_key, viewer.me.id);
    assert.equal(row.invalid, null, 'a real view is valid traffic');
    assert.ok(row.viewable_at && row.view2s_at && row.q25_at && row.q50_at && row.q75_at);
    const mine = tracked.filter((e) => e.impressionId === impressionId).map((e) => e.type);
    assert.deepEqual([...mine].sort(), ['q100', 'q25', 'q50', 'q75', 'view2s', 'view6s', 'viewable'], 'each milestone sent once');

    // The call to action opens the click redirect in a new tab, which lands on the advertiser's page.
    const [tab] = await Promise.all([context.waitForEvent('page'), cta.click()]);
    // The link is built on PUBLIC_URL, which cannot name the random port this test server listens on: there, follow it
    // on the server's real address.
    if (new URL(href).origin !== t.baseUrl) await tab.goto(`${t.baseUrl}${new URL(href).pathname}`);
    await tab.waitForURL(/\/discover\?from=ad/);
    await eventually(async () => {
      const r = await t.ctx.dbh.db.selectFrom('ad_impressions').select('clicked_at').where('id', '=', impressionId).executeTakeFirst();
      return r?.clicked_at ?? undefined;
    }, 10_000);
    await tab.close();

    // Following the creator from the sponsored item, then opening their profile from it, are ad events of the
    // impression (what Promote's follows and profile-visits goals bid on), each recorded on it once.
    await sponsored.getByTestId('follow-button').click();
    await sponsored.getByTestId('author-link').click();
    await page.waitForURL(`${t.baseUrl}/@ads_brand`);
    const acted = await eventually(async () => {
      const r = await t.ctx.dbh.db.selectFrom('ad_impressions').select(['followed_at', 'profile_visit_at']).where('id', '=', impressionId).executeTakeFirst();
      return r?.followed_at && r.profile_visit_at ? r : undefined;
    }, 10_000);
    assert.ok(acted.followed_at && acted.profile_visit_at);
    assert.deepEqual(
      tracked.filter((e) => e.impressionId === impressionId && (e.type === 'follow' || e.type === 'profile_visit')).map((e) => e.type),
      ['follow', 'profile_visit'],
    );
    await context.close();

    // The shop reports the sale with a conversions API key from the ads manager; the ad's report fills in.
    const brand = s.brandPage;
    await brand.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    await brand.getByTestId('ads-conversions').locator('summary').click();
    await brand.getByTestId('conversions-key-create').click();
    const key = /fck_\S+/.exec(await brand.getByTestId('conversions-key').innerText())?.[0];
    assert.ok(key);
    const sale = await fetch(`${t.baseUrl}/api/ads/conversions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ eventId: 'order-77', event: 'purchase', valueCents: 2499, clickId: impressionId }] }),
    });
    assert.equal(sale.status, 200);
    assert.equal(((await sale.json()) as { results: { attribution: string | null }[] }).results[0]?.attribution, 'click_1d');
    await brand.goto(`${t.baseUrl}/ads/report/ad/${ad.id}?advertiser=${s.advertiserId}`);
    await brand.getByTestId('report-totals').waitFor();
    assert.match(await brand.getByTestId('stat-impressions').innerText(), /^1\b/);
    assert.match(await brand.getByTestId('stat-clicks').innerText(), /^1\b/);
    assert.match(await brand.getByTestId('stat-conversions').innerText(), /^1\b/);
    await shot(brand, 'report-after-delivery');

    // The ad group's report carries the auction insight from the ad server: alone in its auctions, it paid the reserve.
    await brand.goto(`${t.baseUrl}/ads/report/ad-group/${g.id}?advertiser=${s.advertiserId}`);
    await brand.getByTestId('insight-clearing').waitFor();
    assert.match(await brand.getByTestId('insight-clearing').innerText(), /^\$\d+\.\d{2} per 1,000 impressions$/);
  });

  test('members: add by username with a role, change it, remove; the API refusals are shown', async () => {
    const page = s.brandPage;
    const analyst = await t.newUser({ username: 'ads_analyst' });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    const panel = page.getByTestId('ads-members');
    await panel.getByTestId('member-row').first().waitFor();
    assert.deepEqual(
      await panel.getByTestId('member-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-username'), r.getAttribute('data-role')])),
      [['ads_brand', 'owner']],
    );
    // An unknown username is refused by the API and said so; nobody is added.
    await panel.getByTestId('member-username').fill('@nobody_here');
    await panel.getByTestId('member-add').click();
    await panel.getByTestId('error-member-username').or(panel.getByTestId('error')).first().waitFor();
    assert.match(await panel.getByTestId('error-member-username').or(panel.getByTestId('error')).first().innerText(), /nobody_here|no user|not found/i);
    assert.equal(await panel.getByTestId('member-row').count(), 1);

    await panel.getByTestId('member-username').fill('@ads_analyst');
    await panel.getByTestId('member-new-role').selectOption('analyst');
    await panel.getByTestId('member-add').click();
    const row = panel.locator('[data-testid="member-row"][data-username="ads_analyst"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-role'), 'analyst');
    assert.equal((await analyst.client.call('myAdvertisers')).items[0]?.role, 'analyst');

    await row.getByTestId('member-role').selectOption('admin');
    await panel.locator('[data-testid="member-row"][data-username="ads_analyst"][data-role="admin"]').waitFor();
    assert.equal((await analyst.client.call('myAdvertisers')).items[0]?.role, 'admin');
    await shot(page, 'members');

    // The last owner cannot leave: the API's reason shows on the row and the owner stays.
    const me = panel.locator('[data-testid="member-row"][data-username="ads_brand"]');
    await me.getByTestId('member-leave').click();
    await me.getByTestId('member-error').waitFor();
    assert.match(await me.getByTestId('member-error').innerText(), /owner/i);
    assert.equal((await s.brand.client.call('myAdvertisers')).items.length, 1);

    await row.getByTestId('member-remove').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await analyst.client.call('myAdvertisers')).items.length, 0);
    assert.deepEqual(
      (await s.brand.client.call('adMembers', { params: { id: s.advertiserId } })).items.map((m) => m.username),
      ['ads_brand'],
    );
  });

  test("invoices: the running month's invoice lists the ledger's movements and totals, marked not final", async () => {
    const page = s.brandPage;
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    const month = new Date().toISOString().slice(0, 7);
    const list = page.getByTestId('invoice-list');
    const row = list.locator(`[data-testid="invoice-row"][data-month="${month}"]`);
    await row.waitFor();
    const inv = await s.brand.client.call('adInvoice', { params: { id: s.advertiserId, month } });
    assert.match(await row.innerText(), new RegExp(inv.number));
    await row.getByTestId('invoice-link').click();
    await page.waitForURL(`${t.baseUrl}/ads/invoices/${s.advertiserId}/${month}`);
    await page.getByTestId('invoice').waitFor();
    const usd = (c: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(c / 100);
    assert.equal(await page.getByTestId('invoice-number').innerText(), inv.number);
    assert.equal(await page.getByTestId('invoice-credits').innerText(), usd(inv.creditsCents));
    assert.equal(await page.getByTestId('invoice-spend').innerText(), usd(inv.spendCents));
    assert.equal(await page.getByTestId('invoice-fees').innerText(), usd(inv.feesCents));
    assert.equal(await page.getByTestId('invoice-total').innerText(), usd(inv.totalDueCents));
    assert.equal(await page.getByTestId('invoice-closing').innerText(), usd(inv.closingBalanceCents));
    // The $1,000 top-up and the challenge's flat fee are on it, and the totals add up.
    assert.equal(inv.creditsCents, 100_000);
    assert.ok(inv.feesCents > 0, 'the sponsored challenge fee');
    assert.equal(inv.totalDueCents, inv.spendCents + inv.feesCents);
    assert.equal(await page.getByTestId('invoice-line').count(), inv.lines.length);
    assert.ok(await page.getByTestId('invoice-not-final').isVisible());
    // Print calls the browser's print; the CSV link serves the same invoice.
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void ((window as unknown as { printed: number }).printed += 1);
    });
    await page.getByTestId('invoice-print').click();
    assert.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1);
    const href = await page.getByTestId('invoice-csv').getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), href);
    assert.match(csv, new RegExp(inv.number));
    await shot(page, 'invoice');
  });

  test('lookalike audiences: built from the engaged seed, listed with size and status, refreshed, picked in the ad group form', async () => {
    const page = s.brandPage;
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}`);
    const panel = page.getByTestId('ads-audiences');
    await panel.locator(`[data-testid="audience-row"][data-key="engaged:${s.advertiserId}"]`).waitFor();
    // A similarity of 1 or more is refused under its field before anything is sent.
    await panel.getByTestId('lookalike-name').fill('Cat people lookalike');
    await panel.getByTestId('lookalike-min-similarity').fill('1.5');
    await panel.getByTestId('lookalike-create').click();
    await panel.getByTestId('error-lookalike-min-similarity').waitFor();
    assert.equal((await s.brand.client.call('adAudiences', { params: { id: s.advertiserId } })).items.length, 1);

    await panel.getByTestId('lookalike-min-similarity').fill('0.3');
    await panel.getByTestId('lookalike-max-size').fill('500');
    await panel.getByTestId('lookalike-create').click();
    const look = panel.locator('[data-testid="audience-row"][data-key^="lookalike:"]');
    await look.waitFor();
    const api = (await s.brand.client.call('adAudiences', { params: { id: s.advertiserId } })).items.find((a) => a.kind === 'lookalike')!;
    assert.equal(api.name, 'Cat people lookalike');
    assert.equal(api.maxSize, 500);
    assert.equal(await look.getAttribute('data-status'), api.status);
    assert.equal(await look.getByTestId('audience-status').innerText(), api.status);
    assert.equal(await look.getByTestId('audience-size').innerText(), api.size.toLocaleString('en-US'));
    await look.getByTestId('audience-refresh').click();
    await look.getByTestId('audience-refresh').and(page.locator(':not([disabled])')).waitFor();
    const after = (await s.brand.client.call('adAudiences', { params: { id: s.advertiserId } })).items.find((a) => a.kind === 'lookalike')!;
    assert.ok(after.computedAt && api.computedAt && after.computedAt >= api.computedAt);
    await shot(page, 'audiences');

    // The ad group form's audiences field lists the engaged audience and the lookalike to pick from.
    await page.goto(`${t.baseUrl}/ads?advertiser=${s.advertiserId}&campaign=${s.campaignId}`);
    await page.getByTestId('new-ad-group').click();
    const picker = page.getByTestId('field-group-audiences');
    await picker.locator(`[data-key="${api.key}"]`).waitFor();
    assert.deepEqual(await picker.getByTestId('group-audience').evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))), [
      `engaged:${s.advertiserId}`,
      api.key,
    ]);
  });
});
