// End-to-end: the For You feed adapts in Debian's Chromium. A fresh user scrolls the web app's For
// You, likes three #cats videos with the heart on the rail, and the next page the app fetches holds
// more #cats than the first one; another fresh user opens an item's "⋯" sheet, reads "Why this
// video?", hides the creator, and that creator never comes back, on later pages or after a reload.
// Figures are read from the For You responses the app itself received, and printed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FeedPage } from '@flick/contracts';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');
const topics = ['cats', 'dance', 'food', 'coding', 'travel', 'music'];
const CREATORS_PER_TOPIC = 3;
const VIDEOS_PER_CREATOR = 6;

describe('For You adapts in the browser', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  /** video id → its topic hashtag. */
  const topicOf = new Map<string, string>();

  before(async () => {
    t = await createTestApp({ http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    await fsp.mkdir(outDir, { recursive: true });
    // A small catalogue straight in the database (no transcodes: the ranking is what is tested):
    // 6 topics × 3 creators × 6 videos, topics interleaved in time and spread over view counts.
    const creators: { user: TestUser; topic: string }[] = [];
    for (let c = 0; c < topics.length * CREATORS_PER_TOPIC; c++) {
      const topic = topics[c % topics.length]!;
      creators.push({ user: await t.newUser({ username: `fy_${topic}_${Math.floor(c / topics.length)}` }), topic });
    }
    for (let i = 0; i < creators.length * VIDEOS_PER_CREATOR; i++) {
      const { user, topic } = creators[i % creators.length]!;
      const id = await insertReadyVideo(t, {
        userId: user.me.id,
        caption: `${topic} clip ${i} #${topic}`,
        at: new Date(Date.now() - (i + 1) * 5 * 60_000),
        views: (i * 37) % 101,
      });
      topicOf.set(id, topic);
    }
    // The videos bypassed the publish path: let the recommender read the catalogue.
    await t.ctx.recsys.reloadCatalog();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A signed-in phone-sized page that records every For You page the app receives. */
  const open = async (u: TestUser): Promise<{ page: Page; pages: FeedPage[] }> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const [name, value] = u.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    const pages: FeedPage[] = [];
    let firstPages = 0;
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname !== '/api/feed/for-you' || !res.ok()) return;
      if (!url.searchParams.has('cursor')) firstPages++;
      void res.json().then((j: FeedPage) => pages.push(j));
    });
    await page.goto(`${t.baseUrl}/`);
    await page.waitForSelector('[data-testid="feed-item"][data-index="0"][data-active="true"]', { timeout: 20_000 });
    assert.ok(pages.length >= 1, 'the app fetched its first For You page');
    // One feed session: the app must not load a first page, then another one once it knows the viewer.
    assert.equal(firstPages, 1, 'the app opened one For You session');
    return { page, pages };
  };
  const active = (page: Page) => page.locator('[data-testid="feed-item"][data-active="true"]');
  /** Swipe to the next video with the keyboard, as a desktop viewer would. */
  const next = async (page: Page) => {
    const index = Number(await active(page).getAttribute('data-index'));
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(`[data-testid="feed-item"][data-index="${index + 1}"][data-active="true"]`, { timeout: 10_000 });
  };
  const count = (p: FeedPage, topic: string) => p.items.filter((i) => topicOf.get(i.video.id) === topic).length;

  test('liking three #cats videos puts more #cats on the next page', async () => {
    const u = await t.newUser();
    const { page, pages } = await open(u);
    const first = pages[0]!;
    const catsBefore = count(first, 'cats');

    // Scroll the feed and like the first three cat videos that come up.
    const liked: string[] = [];
    let pagesAtThirdLike = 0;
    for (let step = 0; liked.length < 3; step++) {
      assert.ok(step < 60, `only ${liked.length} cat videos came up in 60 swipes`);
      const item = active(page);
      const id = (await item.getAttribute('data-video-id'))!;
      if (topicOf.get(id) === 'cats') {
        await item.getByTestId('like-button').click();
        await page.waitForSelector(`[data-testid="feed-item"][data-video-id="${id}"] [data-testid="like-button"][data-liked="true"]`);
        liked.push(id);
        if (liked.length === 3) {
          pagesAtThirdLike = pages.length;
          await page.screenshot({ path: path.join(outDir, 'foryou-liked-cats.png') });
          break;
        }
      }
      await next(page);
    }
    // The like is stored by the engagement API; the learner follows the log (≤ 500 ms).
    await new Promise((r) => setTimeout(r, 700));
    // Keep swiping until the app asks for its next page.
    for (let step = 0; pages.length <= pagesAtThirdLike; step++) {
      assert.ok(step < 20, 'the app fetched no further page');
      await next(page);
    }
    const nextPage = pages[pagesAtThirdLike]!;
    const catsAfter = count(nextPage, 'cats');
    const perPage = pages.map((p) => `${count(p, 'cats')}/${p.items.length}`).join(', ');
    console.log(
      `# #cats on the first page (before any like): ${catsBefore}/${first.items.length}; on the first page after the third like: ${catsAfter}/${nextPage.items.length} (every page fetched: ${perPage}; likes on pages 1–${pagesAtThirdLike})`,
    );
    console.log(`# why the first item of that page: ${JSON.stringify(nextPage.items[0]!.why)} (${nextPage.items[0]!.reason})`);
    // A page holds at most 5 videos of one hashtag (the mixer's diversity rule).
    assert.ok(catsAfter > catsBefore || catsAfter === 5, `#cats per page: ${catsBefore} → ${catsAfter}`);
    assert.ok(catsAfter >= 3, `the page after three cat likes is mostly cats-led: ${catsAfter}/${nextPage.items.length}`);
    assert.equal(topicOf.get(nextPage.items[0]!.video.id), 'cats', 'the next page opens with a cat video');
    assert.ok(
      nextPage.items.some((i) => i.why.some((w) => /#cats/.test(w))),
      `some item says it is there for #cats: ${JSON.stringify(nextPage.items.map((i) => i.why))}`,
    );
    // What the browser did is what the server learnt from.
    const events = await t.ctx.dbh.db.selectFrom('events').select(['type', 'video_id']).where('user_id', '=', u.me.id).execute();
    for (const id of liked) assert.ok(events.some((e) => e.type === 'like' && e.video_id === id));
    assert.ok(
      events.some((e) => e.type === 'impression'),
      'the player reported impressions',
    );
    const ids = pages.flatMap((p) => p.items.map((i) => i.video.id));
    assert.equal(new Set(ids).size, ids.length, 'no video twice in a session');
    await page.context().close();
  });

  test('"Why this video?" and hiding a creator from the sheet: the creator never comes back', async () => {
    const u = await t.newUser();
    const { page, pages } = await open(u);
    await next(page);
    const item = active(page);
    const target = (await item.getAttribute('aria-label'))!.replace(/^Video by @/, '');
    assert.ok(target.startsWith('fy_'), target);
    await item.getByTestId('more-button').click();
    const sheet = page.getByTestId('item-sheet');
    await sheet.waitFor();
    const why = (await sheet.getByTestId('why-list').innerText()).trim();
    assert.ok(why.length > 0, 'the sheet says why');
    const sources = (await sheet.getByTestId('why-sources').innerText()).trim();
    assert.match(sources, /^Sources: \w/);
    console.log(`# why this video (${target}): ${JSON.stringify(why.split('\n'))}; ${sources}`);
    await page.screenshot({ path: path.join(outDir, 'foryou-item-sheet.png') });
    const shownBefore = pages.flatMap((p) => p.items).filter((i) => i.video.author.username === target).length;
    const pagesAtHide = pages.length;
    await sheet.getByTestId('hide-creator').click();
    await page.getByText(`You won't see videos from @${target} in For You`).waitFor();
    await sheet.waitFor({ state: 'detached' });
    // The loaded items of that creator left the feed at once.
    assert.equal(await page.locator(`[data-testid="feed-item"][aria-label="Video by @${target}"]`).count(), 0);

    // Three more pages in this session: none from that creator.
    for (let step = 0; pages.length < pagesAtHide + 3; step++) {
      assert.ok(step < 60, `the app fetched only ${pages.length - pagesAtHide} pages after the hide`);
      await next(page);
    }
    const later = pages.slice(pagesAtHide).flatMap((p) => p.items);
    // A reload starts a new feed session: still none.
    await page.reload();
    await page.waitForSelector('[data-testid="feed-item"][data-index="0"][data-active="true"]', { timeout: 20_000 });
    const afterReload = pages.at(-1)!.items;
    const shownAfter = [...later, ...afterReload].filter((i) => i.video.author.username === target).length;
    console.log(
      `# @${target}: ${shownBefore} of ${pages
        .slice(0, pagesAtHide)
        .reduce(
          (s, p) => s + p.items.length,
          0,
        )} items before the hide; ${shownAfter} of ${later.length + afterReload.length} items in ${pages.length - pagesAtHide} pages after it (3 pages, then a reload)`,
    );
    assert.ok(later.length >= 16, `items after the hide: ${later.length}`);
    assert.equal(shownAfter, 0);
    await page.screenshot({ path: path.join(outDir, 'foryou-after-hide.png') });

    // "Not interested" in one video: it leaves the feed and stays out of it.
    const item2 = active(page);
    const videoId = (await item2.getAttribute('data-video-id'))!;
    await item2.getByTestId('more-button').click();
    await page.getByTestId('item-sheet').getByTestId('not-interested').click();
    await page.getByText("We'll show fewer videos like this").waitFor();
    assert.equal(await page.locator(`[data-testid="feed-item"][data-video-id="${videoId}"]`).count(), 0);
    const ni = await t.ctx.dbh.db.selectFrom('events').select('type').where('user_id', '=', u.me.id).where('video_id', '=', videoId).execute();
    assert.ok(ni.some((e) => e.type === 'not_interested'));
    await page.reload();
    await page.waitForSelector('[data-testid="feed-item"][data-index="0"][data-active="true"]', { timeout: 20_000 });
    assert.ok(!pages.at(-1)!.items.some((i) => i.video.id === videoId || i.video.author.username === target));
    await page.context().close();
  });
});
