// End-to-end: the creation studio in Debian's Chromium. Ana trims two of her clips, adds text and a
// trending sound, previews, renders and finds the result in the feed; Ben duets and stitches it from
// the share sheet, and the lineage shows on both videos. Then Cara opens the Studio from the nav,
// adds a voice-over and shares her edit as a template, and Dev fills it with his clip and renders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, eventually, type TestApp, type TestUser } from '../../server/src/testing/harness.ts';
import { makeClip } from '../../server/src/testing/clips.ts';
import { repoRoot } from '../../server/src/context.ts';
import { toneLevel } from '../../server/src/testing/tone-level.ts';

const outDir = path.join(repoRoot, 'test-output');

/**
 * Wait until the worker is idle for this app's data (transcodes, ladders, renders, sound extraction),
 * so closing the database never pulls it from under a running job.
 */
async function settle(t: TestApp) {
  await eventually(async () => {
    const db = t.ctx.dbh.db;
    const videos = await db.selectFrom('videos').select('id').where('phase', 'not in', ['ready', 'failed']).execute();
    const renders = await db.selectFrom('studio_renders').select('id').where('status', 'in', ['queued', 'rendering', 'publishing']).execute();
    const soundless = await db
      .selectFrom('videos')
      .select('id')
      .where('status', '=', 'ready')
      .where('has_audio', '=', true)
      .where((eb) => eb.or([eb('make_sound', 'is', null), eb('make_sound', '=', true)]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('sounds').select('sounds.id').whereRef('sounds.video_id', '=', 'videos.id'))))
      .execute();
    return videos.length + renders.length + soundless.length === 0 ? true : undefined;
  }, 240_000);
}

describe('studio end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  let tmp: string;
  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'flick-e2e-studio-'));
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser({ autoplay: true });
  });
  after(async () => {
    await browser?.close();
    if (t) await settle(t).catch(() => undefined);
    await t?.close();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  /** A browser page signed in as `u` (the session cookie the API set). */
  const pageAs = async (u: TestUser): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const [name, value] = u.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: t.baseUrl }]);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    return page;
  };

  /** `playable`: wait only until it plays (first rendition), not for the whole ladder. */
  const upload = async (u: TestUser, file: string, caption: string, playable = false) => {
    const form = new FormData();
    form.set('caption', caption);
    form.set('file', new Blob([await fsp.readFile(file)]), 'clip.mp4');
    const res = await fetch(`${t.baseUrl}/api/videos`, { method: 'POST', headers: { cookie: u.cookie }, body: form });
    const { id } = (await res.json()) as { id: string };
    // Ready with thumbnails (the editor's filmstrip comes from the pipeline).
    await eventually(async () => {
      const v = await u.client.call('video', { params: { id } });
      return (playable ? v.status : v.phase) === 'ready' ? true : undefined;
    }, 300_000);
    return id;
  };

  /** Publish from the editor and wait for the new video's page; returns its id. */
  const publish = async (page: Page, caption: string) => {
    await page.getByTestId('studio-caption').fill(caption);
    await page.getByTestId('studio-publish').click();
    await page.waitForURL(/\/v\/[0-9a-f-]{36}$/, { timeout: 240_000 });
    return page.url().split('/v/')[1]!;
  };

  test('trim, text, sound, preview, render; duet and stitch with lineage on both', async () => {
    const ana = await t.newUser({ username: 'ana_e2e' });
    const ben = await t.newUser({ username: 'ben_e2e' });
    const [c1, c2, c3] = await Promise.all([
      makeClip(t.ctx.media, tmp, { seconds: 3, width: 270, height: 480, name: 'c1.mp4' }),
      makeClip(t.ctx.media, tmp, { seconds: 3, width: 480, height: 270, name: 'c2.mp4' }),
      makeClip(t.ctx.media, tmp, { seconds: 2, width: 270, height: 480, name: 'c3.mp4' }),
    ]);
    const tune = path.join(tmp, 'tune.m4a');
    await t.ctx.media.run(['-f', 'lavfi', '-i', 'sine=frequency=523:sample_rate=44100', '-t', '8', '-c:a', 'aac', tune]);
    const [a1, a2, b1] = await Promise.all([upload(ana, c1, 'first'), upload(ana, c2, 'second'), upload(ben, c3, 'ben clip')]);
    // A sound in the library (trending list) from someone else.
    const form = new FormData();
    form.set('title', 'Sunny tune');
    form.set('file', new Blob([await fsp.readFile(tune)]), 'tune.m4a');
    assert.equal((await fetch(`${t.baseUrl}/api/sounds`, { method: 'POST', headers: { cookie: ben.cookie }, body: form })).status, 201);

    const page = await pageAs(ana);
    await page.goto(`${t.baseUrl}/studio`);
    // A shared CI box can be slow to boot the app: give the first paint of the clip picker room.
    await page.getByTestId(`pick-${a1}`).waitFor({ timeout: 120_000 });
    await page.getByTestId(`pick-${a1}`).click();
    await page.getByTestId(`pick-${a2}`).click();
    await page.getByTestId('trim-in-0').fill('500');
    await page.getByTestId('trim-out-0').fill('2500');
    await page.getByTestId('trim-out-1').fill('1500');
    await page.getByTestId('studio-text-input').fill('Hello studio');
    await page.getByTestId('studio-text-add').click();
    const soundOption = page.locator('[data-testid="studio-sound"] option', { hasText: 'Sunny tune' });
    await soundOption.waitFor({ state: 'attached' });
    await page.getByTestId('studio-sound').selectOption({ label: (await soundOption.textContent())! });
    assert.match((await page.getByTestId('studio-timeline').textContent()) ?? '', /Timeline · 3\.5 s/);
    // The preview plays the timeline and draws the text on its canvas.
    await page.getByTestId('studio-play').click();
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="studio-preview-video"]')?.currentTime ?? 0) > 0.6, undefined, {
      timeout: 30_000,
    });
    const inked = await page.evaluate(() => {
      const cv = document.querySelector('[data-testid="studio-preview-canvas"]') as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    assert.ok(inked > 50, 'the overlay text is drawn on the preview');
    await page.screenshot({ path: path.join(outDir, 'e2e-studio-editor.png') });
    const edited = await publish(page, 'My first edit #studio');
    const v = await eventually(async () => {
      const x = await ana.client.call('video', { params: { id: edited } });
      return x.status === 'ready' ? x : undefined;
    }, 120_000);
    assert.ok(Math.abs((v.durationMs ?? 0) - 3500) < 200, `rendered ${v.durationMs} ms`);
    const feed = await eventually(async () => {
      const f = await ben.client.call('forYou', { query: { mode: 'popular' } });
      return f.items.some((i) => i.video.id === edited) ? f : undefined;
    }, 60_000);
    assert.ok(feed);

    // Ben sees it in the browser's feed (Following, once he follows Ana: newest first).
    const bp = await pageAs(ben);
    await ben.client.call('follow', { params: { username: 'ana_e2e' }, query: {} });
    await bp.goto(`${t.baseUrl}/following`);
    await bp.locator(`[data-testid="feed-item"][data-video-id="${edited}"]`).waitFor({ timeout: 60_000 });

    // Ben: duet from the share sheet on the video page.
    await bp.goto(`${t.baseUrl}/v/${edited}`);
    await bp.getByTestId('share-button').first().click();
    await bp.getByTestId('remix-duet').click();
    await bp.waitForURL(/\/studio\?duet=/);
    await bp.getByTestId('studio-origin').waitFor({ timeout: 60_000 });
    await bp.getByTestId(`pick-${b1}`).waitFor({ timeout: 60_000 });
    await bp.getByTestId(`pick-${b1}`).click();
    const duet = await publish(bp, 'duet time');
    await bp.getByText('Duet with @ana_e2e').waitFor({ timeout: 60_000 });

    await bp.goto(`${t.baseUrl}/v/${edited}`);
    await bp.getByTestId('share-button').first().click();
    await bp.getByTestId('remix-stitch').click();
    await bp.waitForURL(/\/studio\?stitch=/);
    await bp.getByTestId(`pick-${b1}`).click();
    const stitch = await publish(bp, 'stitch time');
    await bp.getByText('Stitched from @ana_e2e').waitFor({ timeout: 60_000 });
    await bp.screenshot({ path: path.join(outDir, 'e2e-studio-stitch.png') });

    // Lineage on the original: both remixes, once they play for everyone.
    for (const id of [duet, stitch])
      await eventually(async () => ((await ben.client.call('video', { params: { id } })).status === 'ready' ? true : undefined), 180_000);
    await page.goto(`${t.baseUrl}/v/${edited}`);
    await page.getByTestId('lineage').waitFor({ timeout: 30_000 });
    const chips = await page.getByTestId('lineage-remix').allTextContents();
    assert.deepEqual(chips.sort(), ['Duet by @ben_e2e', 'Stitch by @ben_e2e']);
    assert.notEqual(duet, stitch);
  });

  test('Studio from the nav: a voice-over in the editor, publish as a template; another user fills it and renders', async () => {
    const cara = await t.newUser({ username: 'cara_e2e' });
    const dev = await t.newUser({ username: 'dev_e2e' });
    const [k1, k2, k3] = await Promise.all([
      makeClip(t.ctx.media, tmp, { seconds: 3, width: 270, height: 480, name: 'k1.mp4' }),
      makeClip(t.ctx.media, tmp, { seconds: 3, width: 270, height: 480, name: 'k2.mp4' }),
      makeClip(t.ctx.media, tmp, { seconds: 2, width: 270, height: 480, name: 'k3.mp4' }),
    ]);
    const voice = path.join(tmp, 'voice.m4a');
    await t.ctx.media.run(['-f', 'lavfi', '-i', 'sine=frequency=1500:sample_rate=48000', '-t', '1.5', '-c:a', 'aac', voice]);
    // Playable is enough for the editor (the first test's renders may still be in the ladder queue on a busy box).
    const [v1, v2, d1] = await Promise.all([upload(cara, k1, 'cara one', true), upload(cara, k2, 'cara two', true), upload(dev, k3, 'dev clip', true)]);

    const page = await pageAs(cara);
    await page.goto(t.baseUrl);
    await page.getByTestId('nav-studio').click();
    await page.waitForURL(/\/studio$/);
    await page.getByTestId(`pick-${v1}`).waitFor({ timeout: 120_000 });
    await page.getByTestId(`pick-${v1}`).click();
    await page.getByTestId(`pick-${v2}`).click();
    await page.getByTestId('trim-out-0').fill('1500');
    await page.getByTestId('studio-text-input').fill('Your turn');
    await page.getByTestId('studio-text-add').click();

    // Publish as a template: clip 1 is the slot, clip 2 stays Cara's.
    await page.getByTestId('clip-slot-1').uncheck();
    await page.getByTestId('template-title').fill('Cara intro');
    await page.getByTestId('template-publish').click();
    const link = page.getByTestId('template-published');
    await link.waitFor({ timeout: 30_000 });
    const templateId = (await link.getAttribute('href'))!.split('/').pop()!;

    // A voice-over from an audio file, placed at 1 s; the preview gets it too.
    await page.getByTestId('studio-voice-file').setInputFiles(voice);
    await page.getByTestId('studio-voice-title').waitFor({ timeout: 60_000 });
    await page.getByTestId('studio-voice-at').fill('1000');
    await page.getByTestId('studio-voice-fade-in').fill('200');
    assert.ok(await page.getByTestId('studio-preview-voice').getAttribute('src'));
    // A file that is not audio is refused with the server's reason.
    await page.getByTestId('studio-voice-remove').click();
    await page.getByTestId('studio-voice-file').setInputFiles(k1);
    await page.getByTestId('studio-voice-error').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('studio-voice-error').textContent()) ?? '', /audio/);
    await page.getByTestId('studio-voice-file').setInputFiles(voice);
    await page.getByTestId('studio-voice-title').waitFor({ timeout: 60_000 });
    await page.getByTestId('studio-voice-at').fill('1000');
    const voiced = await publish(page, 'with my voice');
    // The render's output as published (the HLS ladder transcodes it next).
    const src = await eventually(async () => {
      const row = await t.ctx.dbh.db.selectFrom('videos').select('source_key').where('id', '=', voiced).executeTakeFirst();
      return row?.source_key ?? undefined;
    }, 60_000);
    const levels = await t.ctx.blob.withLocalFile(src, async (file) => ({
      before: await toneLevel(t.ctx.media, file, 1500, 100, 900),
      during: await toneLevel(t.ctx.media, file, 1500, 1300, 2400),
    }));
    assert.ok(levels.before < 0.01 && levels.during > 0.08, `the voice-over is in the render from 1 s: ${JSON.stringify(levels)}`);

    // Dev: Studio → Templates → Use → pick a clip for the slot → render.
    const dp = await pageAs(dev);
    await dp.goto(`${t.baseUrl}/studio`);
    await dp.getByTestId('studio-templates-link').click();
    await dp.waitForURL(/\/studio\/templates$/);
    await dp.getByTestId(`use-template-${templateId}`).click();
    await dp.waitForURL(new RegExp(`/studio/templates/${templateId}$`));
    await dp.getByTestId(`slot-0-pick-${d1}`).click();
    await dp.getByTestId('template-caption').fill('my take #template');
    await dp.screenshot({ path: path.join(outDir, 'e2e-studio-template.png') });
    await dp.getByTestId('template-render').click();
    await dp.waitForURL(/\/v\/[0-9a-f-]{36}$/, { timeout: 240_000 });
    const filled = dp.url().split('/v/')[1]!;
    await dp.getByText('Template by @cara_e2e').waitFor({ timeout: 60_000 });
    const fv = await eventually(async () => {
      const x = await dev.client.call('video', { params: { id: filled } });
      return x.status === 'ready' ? x : undefined;
    }, 240_000);
    assert.ok(Math.abs((fv.durationMs ?? 0) - 4500) < 200, `1.5 s slot + 3 s of Cara's clip, rendered ${fv.durationMs} ms`);
    assert.equal((await t.anon.call('template', { params: { id: templateId } })).useCount, 1);
  });
});
