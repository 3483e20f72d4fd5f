// End-to-end: discovery and sharing in Debian's Chromium. A shared link's page carries the right preview
// tags (rendered by the server, before any JavaScript) and its embed plays HLS; search suggests as you
// type and forgives a typo; a hashtag page and a challenge page with its leaderboard; the share sheet;
// the creator's analytics with charts.
import { after, before, describe, test } from 'node:test';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, eventually, insertReadyVideo, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { makeClip } from '../../server/src/testing/clips.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');

describe('discovery and sharing end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let tmp: string;
  let creator: TestUser;
  let videoId: string;

  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-e2e-disc-'));
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser({ autoplay: true });

    // A real upload (so there is a poster and HLS), plus catalogue around it.
    creator = await t.newUser({ username: 'surf_sam', displayName: 'Sam <Surfs> & Co' });
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 4, width: 540, height: 960, name: 'surf.mp4' });
    const form = new FormData();
    form.set('caption', 'Sunset surfing lesson "<script>alert(1)</script>" #surfing #beach');
    form.set('file', new Blob([new Uint8Array(await fsp.readFile(clip))], { type: 'video/mp4' }), 'surf.mp4');
    videoId = (await creator.client.call('uploadVideo', { form })).id;
    await eventually(async () => {
      const v = await t.anon.call('video', { params: { id: videoId } });
      return v.status === 'ready' && v.posterUrl ? v : undefined;
    }, 90_000);
    const others = await Promise.all([t.newUser({ username: 'wave_rider' }), t.newUser({ username: 'beach_bum' })]);
    const hour = 3600_000;
    for (const [i, u] of others.entries()) {
      await insertReadyVideo(t, {
        userId: u.me.id,
        caption: `Morning surfing session ${i} #surfing`,
        at: new Date(Date.now() - (i + 1) * hour),
        views: 10 * (i + 1),
      });
      await insertReadyVideo(t, { userId: u.me.id, caption: `Surf camp day ${i} #surfcamp`, at: new Date(Date.now() - (i + 2) * hour) });
    }
    const admin = await t.newUser({ username: 'staff_sara' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'admin'] })
      .where('id', '=', admin.me.id)
      .execute();
    await admin.client.call('createChallenge', {
      body: {
        slug: 'surf-week',
        hashtag: 'surfing',
        title: 'Surf Week 🌊',
        description: 'Show us your best wave of the week.',
        rules: '1. Post a video with #surfing.\n2. Only your own footage.',
        startsAt: new Date(Date.now() - 2 * 24 * hour).toISOString(),
        endsAt: new Date(Date.now() + 5 * 24 * hour).toISOString(),
        featured: true,
      },
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  const newContext = async (user?: TestUser): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    if (user) {
      const [name, value] = user.cookie.split('=');
      await context.addCookies([{ name: name!, value: value!, url: t.baseUrl }]);
    }
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    return { context, page };
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `discovery-${name}.png`) });

  test('a share link shows the right preview tags (server-rendered, escaped) and its embed plays HLS', async () => {
    // What a link-preview crawler sees: the raw HTML, no JavaScript.
    const raw = await (await fetch(`${t.baseUrl}/v/${videoId}?s=surf_sam&src=share`)).text();
    assert.ok(!raw.includes('<script>alert(1)</script>'), 'caption escaped in the meta');
    const { context, page } = await newContext();
    await page.goto(`${t.baseUrl}/v/${videoId}?s=surf_sam&src=share`);
    const tags = await page.evaluate(() => {
      const m = (k: string) => document.head.querySelector(`meta[property="${k}"], meta[name="${k}"]`)?.getAttribute('content') ?? null;
      return {
        title: m('og:title'),
        image: m('og:image'),
        video: m('og:video'),
        card: m('twitter:card'),
        oembed: document.head.querySelector('link[type="application/json+oembed"]')?.getAttribute('href') ?? null,
        scripts: [...document.head.querySelectorAll('script')].filter((s) => s.textContent?.includes('alert(1)')).length,
      };
    });
    assert.match(tags.title ?? '', /^Sunset surfing lesson "<script>alert\(1\)<\/script>"/);
    assert.match(tags.image ?? '', new RegExp(`/media/videos/${videoId}/.+`));
    assert.equal(tags.video, `${t.ctx.config.publicUrl}/embed/${videoId}`);
    assert.equal(tags.card, 'player');
    assert.ok(tags.oembed?.includes('/api/oembed?'));
    assert.equal(tags.scripts, 0);
    // The visit through the share link was counted for the sharer.
    const visit = await t.ctx.dbh.db.selectFrom('share_visits').select('sharer_id').where('video_id', '=', videoId).executeTakeFirst();
    assert.equal(visit?.sharer_id, creator.me.id);
    await page.locator('[data-testid="video-player"]').first().waitFor({ timeout: 30_000 });
    await shot(page, 'share-link-page');

    // Share sheet: link with attribution, QR code.
    await page.getByTestId('share-button').first().click();
    const url = await page.getByTestId('share-url').inputValue();
    assert.match(url, new RegExp(`/v/${videoId}\\?src=share$`));
    await page.getByTestId('share-qr').click();
    await page.getByTestId('share-qr-image').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="share-count"]')?.textContent?.includes('1 time'));
    await shot(page, 'share-sheet');

    // The embed page alone, as a third-party iframe would show it.
    await page.goto(`${t.baseUrl}/embed/${videoId}`);
    await page.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="video-player"]');
        return v !== null && v.readyState >= 2 && v.currentTime > 0.5;
      },
      undefined,
      { timeout: 30_000 },
    );
    await shot(page, 'embed');
    await context.close();
  });

  test('search with suggestions as you type, a typo forgiven, then the hashtag page', async () => {
    const { context, page } = await newContext();
    await page.goto(`${t.baseUrl}/discover`);
    await page.getByTestId('discover-page').waitFor();
    await page
      .getByTestId('trending-hashtag')
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
    await shot(page, 'discover');
    const input = page.getByTestId('search-input');
    await input.click();
    await input.pressSequentially('surf', { delay: 60 });
    const suggestions = page.getByTestId('search-suggestions');
    await suggestions.waitFor();
    const tagsSuggested = await page.getByTestId('suggestion-hashtag').allTextContents();
    assert.ok(
      tagsSuggested.some((s) => s.includes('surfing')),
      `suggested: ${tagsSuggested.join(' | ')}`,
    );
    const usersSuggested = await page.getByTestId('suggestion-user').allTextContents();
    assert.ok(usersSuggested.some((s) => s.includes('@surf_sam')));
    await shot(page, 'search-suggestions');

    // A typo: "surfng lesson" still finds the uploaded video, and says what it searched for.
    await input.fill('surfng lesson');
    await input.press('Enter');
    await page.waitForURL(/\/search\?q=surfng/);
    await page.getByTestId('search-videos').waitFor();
    const ids = await page
      .locator('[data-testid="search-videos"] [data-testid="video-tile"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-video-id')));
    assert.deepEqual(ids, [videoId]);
    assert.match((await page.getByTestId('search-corrected').textContent()) ?? '', /surfing lesson/);
    await shot(page, 'search-results');

    // Hashtag page from a suggestion.
    await input.fill('#surfi');
    await page.getByTestId('suggestion-hashtag').first().waitFor();
    await page.getByTestId('suggestion-hashtag').first().click();
    await page.waitForURL(/\/tag\/surfing$/);
    assert.equal(await page.getByTestId('tag-title').textContent(), '#surfing');
    await page.locator('[data-testid="tag-videos"] [data-testid="video-tile"]').first().waitFor();
    assert.equal(await page.locator('[data-testid="tag-videos"] [data-testid="video-tile"]').count(), 3);
    assert.match((await page.getByTestId('tag-challenge').textContent()) ?? '', /Surf Week/);
    await shot(page, 'hashtag');

    // Opening a video from the hashtag page reports "hashtag" as its traffic source.
    await page.locator('[data-testid="tag-videos"] [data-testid="video-tile"]').first().click();
    await page.waitForURL(/\/v\//);
    await page.locator('[data-testid="video-player"]').first().waitFor();
    await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
    await eventually(async () => {
      const r = await t.ctx.dbh.db.selectFrom('events').select('feed').where('feed', '=', 'hashtag').executeTakeFirst();
      return r ?? undefined;
    }, 15_000);
    await context.close();
  });

  test('trending sounds on Discover; a sound found by its title in suggestions and search, with the videos that use it', async () => {
    const db = t.ctx.dbh.db;
    const soundId = crypto.randomUUID();
    await db
      .insertInto('sounds')
      .values({ id: soundId, owner_id: creator.me.id, video_id: null, title: 'Tidal Groove', audio_key: `sounds/${soundId}/audio.m4a`, duration_ms: 12_000 })
      .execute();
    const dj = await t.newUser({ username: 'dj_wave' });
    const uses = [];
    for (const [i, caption] of ['Paddle out at dawn', 'Board wax tutorial'].entries()) {
      const id = await insertReadyVideo(t, { userId: dj.me.id, caption, at: new Date(Date.now() - (i + 1) * 3600_000) });
      await db.insertInto('sound_uses').values({ video_id: id, sound_id: soundId }).execute();
      uses.push(id);
    }
    // Three people watch the videos that use it: it trends.
    for (const [i, fan] of (await Promise.all([1, 2, 3].map(() => t.newUser()))).entries())
      await fan.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type: 'play', videoId: uses[i % 2]! }] } });
    t.ctx.discovery.invalidateTrends();

    const { context, page } = await newContext();
    await page.goto(`${t.baseUrl}/discover`);
    const trending = page.getByTestId('trending-sound').filter({ hasText: 'Tidal Groove' });
    await trending.waitFor({ timeout: 15_000 });
    assert.match((await trending.textContent()) ?? '', /@surf_sam · 4 people · 2 videos/);
    await shot(page, 'discover-sounds');

    const input = page.getByTestId('search-input');
    await input.click();
    await input.pressSequentially('tidal', { delay: 60 });
    const suggested = page.getByTestId('suggestion-sound').filter({ hasText: 'Tidal Groove' });
    await suggested.waitFor();
    await input.press('Enter');
    await page.waitForURL(/\/search\?q=tidal/);
    await page.getByTestId('search-sounds').waitFor();
    assert.match((await page.getByTestId('search-sounds').textContent()) ?? '', /Tidal Groove.*@surf_sam · 2 videos/);
    // The videos never say "tidal" in their captions: they are found by their sound's title.
    const ids = await page
      .locator('[data-testid="search-videos"] [data-testid="video-tile"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-video-id')));
    assert.deepEqual(new Set(ids), new Set(uses));
    await shot(page, 'search-sounds');
    await page.getByTestId('search-sounds').getByText('Tidal Groove').click();
    await page.waitForURL(new RegExp(`/sound/${soundId}$`));
    assert.match((await page.getByTestId('sound-uses').textContent()) ?? '', /2 videos use this sound/);
    await context.close();
  });

  test('the challenge page: title, dates, rules, banner area and leaderboard', async () => {
    const { context, page } = await newContext();
    await page.goto(`${t.baseUrl}/challenge/surf-week`);
    await page.getByTestId('challenge-page').waitFor();
    assert.equal(await page.getByTestId('challenge-title').textContent(), 'Surf Week 🌊');
    assert.equal(await page.getByTestId('challenge-status').textContent(), 'Live');
    assert.match((await page.getByTestId('challenge-rules').textContent()) ?? '', /Only your own footage/);
    assert.match((await page.getByTestId('challenge-dates').textContent()) ?? '', /3 creators taking part/);
    const board = page.locator('[data-testid="challenge-leaderboard"] [data-testid="video-tile"]');
    assert.equal(await board.count(), 3);
    await shot(page, 'challenge');
    await context.close();
  });

  test("the creator's analytics page draws charts; nobody else sees it", async () => {
    // A viewer who set their country in the privacy settings watches: the audience has a region.
    const viewer = await t.newUser();
    await viewer.client.call('updateEngagementSettings', { body: { country: 'PT' } });
    await viewer.client.call('events', { body: { events: [{ id: crypto.randomUUID().replace(/-/g, ''), type: 'play', videoId, feed: 'share' }] } });
    const { context, page } = await newContext(creator);
    await page.goto(`${t.baseUrl}/analytics`);
    await page.getByTestId('analytics-totals').waitFor({ timeout: 15_000 });
    await page.getByTestId('chart-views').locator('canvas').waitFor();
    assert.ok(Number(await page.getByTestId('stat-views').locator('.dv-stat-value').textContent()) >= 1, 'views from the earlier tests');
    await page.getByTestId('chart-regions').locator('canvas').waitFor();
    assert.equal(await page.getByTestId('chart-regions').locator('canvas').getAttribute('aria-label'), 'Viewers by country');
    const audience = await page.evaluate(async () => (await fetch('/api/analytics/export.csv?days=7&kind=audience')).text());
    assert.match(audience, /\r\nregion,PT,1\r\n/);
    await shot(page, 'analytics');
    const csv = await page.evaluate(async () => (await fetch('/api/analytics/export.csv?days=7')).text());
    assert.match(csv, /^video_id,created_at,caption,views/);
    await context.close();

    const stranger = await t.newUser();
    const other = await newContext(stranger);
    await other.page.goto(`${t.baseUrl}/analytics`);
    await other.page.getByTestId('analytics-totals').waitFor();
    assert.equal(await other.page.getByTestId('stat-views').locator('.dv-stat-value').textContent(), '0', "a stranger's own analytics are empty");
    const res = await other.page.evaluate(async (id) => (await fetch(`/api/analytics/videos/${id}`)).status, videoId);
    assert.equal(res, 403);
    await other.context.close();
  });
});
