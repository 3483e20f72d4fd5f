// End-to-end: two people in Debian's Chromium. One signs up and uploads a real clip; the other
// watches it play in the For You feed, follows its creator and finds it under Following.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, type TestApp } from '../../server/src/testing/harness.ts';
import { makeClip } from '../../server/src/testing/clips.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');

describe('web app end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let tmp: string;
  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-e2e-'));
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser({ autoplay: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    return page;
  };

  const signUp = async (page: Page, username: string) => {
    await page.goto(`${t.baseUrl}/signup`);
    await page.getByTestId('signup-username').fill(username);
    await page.getByTestId('signup-password').fill('a long enough password');
    await page.getByTestId('signup-birthdate').fill('1996-03-04');
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(`${t.baseUrl}/`);
  };

  test('sign up, upload a real clip, watch it play, follow its creator, see it under Following', async () => {
    const clip = await makeClip(t.ctx.media, tmp, { seconds: 6, width: 540, height: 960, name: 'e2e.mp4' });

    const creator = await newPage();
    await signUp(creator, 'e2e_creator');
    await creator.getByTestId('nav-upload').click();
    await creator.getByTestId('upload-file').setInputFiles(clip);
    await creator.getByTestId('upload-caption').fill('Hello from the browser #e2e');
    await creator.screenshot({ path: path.join(outDir, 'e2e-upload-form.png') });
    await creator.getByTestId('upload-submit').click();
    const status = creator.getByTestId('processing-status');
    await status.waitFor({ timeout: 60_000 });
    await creator.waitForSelector('[data-testid="processing-status"][data-status="ready"]', { timeout: 90_000 });
    await creator.screenshot({ path: path.join(outDir, 'e2e-upload-ready.png') });
    await creator.getByTestId('watch-link').click();
    await assertPlays(creator);

    const viewer = await newPage();
    await signUp(viewer, 'e2e_viewer');
    const item = viewer.locator('[data-testid="feed-item"]').first();
    await item.waitFor({ timeout: 30_000 });
    assert.equal((await viewer.locator('[data-testid="feed-item"]').count()) >= 1, true);
    await assertPlays(viewer);
    await viewer.screenshot({ path: path.join(outDir, 'e2e-feed.png') });
    await viewer.getByTestId('follow-button').first().click();
    await viewer
      .waitForFunction(() => document.querySelector('[data-testid="follow-button"]')?.textContent?.toLowerCase().includes('following') ?? false, undefined, {
        timeout: 10_000,
      })
      .catch(() => undefined);
    await viewer.getByTestId('tab-following').click();
    const followingItem = viewer.locator('[data-testid="feed-item"]').first();
    await followingItem.waitFor({ timeout: 15_000 });
    const videoId = await followingItem.getAttribute('data-video-id');
    const mine = await t.ctx.dbh.db
      .selectFrom('videos')
      .innerJoin('users', 'users.id', 'videos.user_id')
      .select('videos.id')
      .where('users.username', '=', 'e2e_creator')
      .executeTakeFirstOrThrow();
    assert.equal(videoId, mine.id);
    await assertPlays(viewer);
    await viewer.screenshot({ path: path.join(outDir, 'e2e-following.png') });

    // The player reported what happened; the server stored it.
    await viewer.evaluate(() => window.dispatchEvent(new Event('pagehide')));
    const deadline = Date.now() + 15_000;
    let types: string[] = [];
    while (Date.now() < deadline) {
      types = (await t.ctx.dbh.db.selectFrom('events').select('type').where('video_id', '=', mine.id).execute()).map((r) => r.type);
      if (types.includes('impression') && types.includes('play')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(types.includes('impression') && types.includes('play'), `events stored: ${types.join(',')}`);
  });

  /** The active video element's currentTime must move forward: it really plays. */
  async function assertPlays(page: Page) {
    const video = page.locator('[data-testid="video-player"]').first();
    await video.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const vids = [...document.querySelectorAll<HTMLVideoElement>('[data-testid="video-player"]')];
        return vids.some((v) => v.readyState >= 2 && v.currentTime > 0.5);
      },
      undefined,
      { timeout: 30_000 },
    );
    const t1 = await page.evaluate(() =>
      Math.max(...[...document.querySelectorAll<HTMLVideoElement>('[data-testid="video-player"]')].map((v) => v.currentTime)),
    );
    await page.waitForTimeout(1200);
    const t2 = await page.evaluate(() =>
      Math.max(...[...document.querySelectorAll<HTMLVideoElement>('[data-testid="video-player"]')].map((v) => v.currentTime)),
    );
    assert.ok(t2 > t1 || t2 < t1 - 1, `video advances (${t1} → ${t2}; a loop also counts)`);
  }
});
