// End-to-end engagement in Debian's Chromium: a fan likes a video and comments; the creator, with
// the inbox open, sees the unread badge and the notifications arrive live, then replies and likes
// the comment; the fan sees the reply in their inbox. Screenshots go to test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { repoRoot } from '../../server/src/context.ts';

const outDir = path.join(repoRoot, 'test-output');

describe('engagement end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let creator: TestUser;
  let fan: TestUser;
  let videoId: string;
  before(async () => {
    t = await createTestApp({ http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    await fsp.mkdir(outDir, { recursive: true });
    creator = await t.newUser({ username: 'e2e_maker', displayName: 'Maker' });
    fan = await t.newUser({ username: 'e2e_fan', displayName: 'Fan' });
    // The pipeline is beside the point here: a ready video straight in the database.
    videoId = await insertReadyVideo(t, { userId: creator.me.id, caption: 'Sunset run #e2e', at: new Date() });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const pageAs = async (u: TestUser): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const [name, value] = u.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    return page;
  };

  test('like, comment, a live notification, a reply and a comment like', async () => {
    const makerPage = await pageAs(creator);
    await makerPage.goto(`${t.baseUrl}/inbox`);
    await makerPage.getByText('Nothing yet').waitFor({ timeout: 15_000 });

    const fanPage = await pageAs(fan);
    await fanPage.goto(`${t.baseUrl}/v/${videoId}`);
    const like = fanPage.getByTestId('like-button');
    await like.waitFor({ timeout: 15_000 });
    await fanPage.waitForSelector('[data-testid="like-count"]:text("0")', { timeout: 10_000 });
    await like.click();
    await fanPage.waitForSelector('[data-testid="like-button"][data-liked="true"]');
    await fanPage.waitForSelector('[data-testid="like-count"]:text("1")');
    await fanPage.screenshot({ path: path.join(outDir, 'engagement-liked.png') });

    // Live: the creator's open inbox shows the like and the badge without a reload.
    await makerPage.waitForSelector('[data-testid="inbox-item"][data-type="like"]', { timeout: 5_000 });
    assert.match(await makerPage.getByTestId('inbox-text').first().innerText(), /Fan liked your video/);
    await makerPage.screenshot({ path: path.join(outDir, 'engagement-inbox-live.png') });
    // Away from the inbox, the next notification shows as a badge on the nav.
    await makerPage.goto(`${t.baseUrl}/`);
    await makerPage.getByTestId('nav-inbox').waitFor();
    assert.equal(await makerPage.getByTestId('unread-badge').count(), 0, 'the inbox marked what it showed as read');

    // The fan comments; HTML in the text is shown as text.
    await fanPage.getByTestId('comment-button').click();
    await fanPage.getByTestId('comments-sheet').waitFor();
    await fanPage.getByText('No comments yet').waitFor();
    const text = 'Love this <b>run</b> @e2e_maker';
    await fanPage.getByTestId('comment-input').fill(text);
    await fanPage.getByTestId('comment-send').click();
    const item = fanPage.getByTestId('comment-item').first();
    await item.waitFor();
    assert.equal((await item.getByTestId('comment-text').innerText()).trim(), text);
    assert.equal(await item.locator('b').count(), 0, 'no HTML was interpreted');
    await fanPage.screenshot({ path: path.join(outDir, 'engagement-comment.png') });

    // The creator sees the badge appear live, opens the video, likes the comment and replies.
    await makerPage.waitForSelector('[data-testid="unread-badge"]:text("1")', { timeout: 5_000 });
    await makerPage.screenshot({ path: path.join(outDir, 'engagement-badge.png') });
    await makerPage.goto(`${t.baseUrl}/v/${videoId}`);
    await makerPage.getByTestId('comment-button').click();
    const theirs = makerPage.getByTestId('comment-item').first();
    await theirs.waitFor();
    await theirs.getByTestId('comment-like').click();
    await makerPage.waitForSelector('[data-testid="comment-like"][data-liked="true"]');
    await theirs.getByTestId('comment-reply').click();
    await makerPage.getByTestId('replying-to').waitFor();
    await makerPage.getByTestId('comment-input').fill('Thanks for watching!');
    await makerPage.getByTestId('comment-send').click();
    await makerPage.waitForSelector('.comment.is-reply [data-testid="comment-text"]:has-text("Thanks for watching!")');
    await makerPage.screenshot({ path: path.join(outDir, 'engagement-reply.png') });

    // The fan's inbox: the reply and the comment like.
    await fanPage.goto(`${t.baseUrl}/inbox`);
    await fanPage.waitForSelector('[data-testid="inbox-item"][data-type="reply"]', { timeout: 10_000 });
    await fanPage.waitForSelector('[data-testid="inbox-item"][data-type="comment_like"]');
    await fanPage.screenshot({ path: path.join(outDir, 'engagement-fan-inbox.png') });

    // What the browser did is what the server stored.
    const db = t.ctx.dbh.db;
    const v = await db.selectFrom('videos').select(['like_count', 'comment_count']).where('id', '=', videoId).executeTakeFirstOrThrow();
    assert.deepEqual(v, { like_count: 1, comment_count: 2 });
    const c = await db.selectFrom('comments').select(['body', 'like_count', 'reply_count']).where('parent_id', 'is', null).executeTakeFirstOrThrow();
    assert.deepEqual(c, { body: text, like_count: 1, reply_count: 1 });
    const types = (await db.selectFrom('events').select('type').where('video_id', '=', videoId).where('user_id', '=', fan.me.id).execute()).map((r) => r.type);
    assert.ok(types.includes('like') && types.includes('comment'), types.join(','));
  });

  test('profile: private account with a follow request, block from a profile', async () => {
    const other = await t.newUser({ username: 'e2e_other', displayName: 'Other' });
    await creator.client.call('updateEngagementSettings', { body: { isPrivate: true } });
    const page = await pageAs(other);
    await page.goto(`${t.baseUrl}/@e2e_maker`);
    await page.getByTestId('private-account').waitFor({ timeout: 10_000 });
    await page.getByTestId('follow-button').click();
    await page.getByTestId('follow-requested').waitFor();
    await page.screenshot({ path: path.join(outDir, 'engagement-private-requested.png') });

    const maker = await pageAs(creator);
    await maker.goto(`${t.baseUrl}/@e2e_maker`);
    await maker.getByTestId('open-privacy').click();
    await maker.getByTestId('open-requests').click();
    await maker.getByTestId('approve-request').click();
    await maker.getByText('Nobody here yet.').waitFor();
    await page.reload();
    await page.waitForSelector('[data-testid="follow-button"][data-following="true"]', { timeout: 10_000 });

    // Block from the profile's menu: the blocked user can no longer find the profile.
    await page.getByTestId('profile-more').click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('toggle-block').click();
    await page.getByTestId('blocked-note').waitFor();
    await page.waitForSelector('[data-testid="follow-button"][data-following="false"]');
    await page.screenshot({ path: path.join(outDir, 'engagement-blocked.png') });
    const res = await fetch(`${t.baseUrl}/api/users/e2e_other`, { headers: { cookie: creator.cookie } });
    assert.equal(res.status, 404);
  });
});
