/// <reference types="node" />
// Manual smoke run of the built web app in Debian Chromium (no browser download):
//   BASE=http://localhost:3100 CLIP=/path/clip.mp4 npm exec -- node web/scripts/smoke.ts
// Screenshots go to test-output/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE ?? 'http://localhost:3100';
const CLIP = process.env.CLIP ?? '/tmp/flick-fixtures/clip.mp4';
const NOT_VIDEO = process.env.NOT_VIDEO ?? '/tmp/flick-fixtures/not-video.mp4';
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output');
mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
const page = await context.newPage();
const problems: string[] = [];
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') problems.push(`[console.${m.type()}] ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`[pageerror] ${e.message}`));
type SentEvent = { type: string; videoId: string; watchMs?: number; positionMs?: number; durationMs?: number; feed?: string };
const events: SentEvent[] = [];
page.on('request', (r) => {
  if (r.url().endsWith('/api/events') && r.method() === 'POST') {
    try {
      const body = JSON.parse(r.postData() ?? '{}') as { events?: SentEvent[] };
      events.push(...(body.events ?? []));
    } catch {
      // a beacon body is not visible here
    }
  }
});
page.on('response', (r) => {
  if (r.url().includes('/api/') && r.status() >= 400) problems.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`);
});

const shot = async (name: string) => {
  await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  console.log('screenshot', name);
};
const step = (s: string) => console.log('--', s);

step('feed');
await page.goto(`${BASE}/`);
await page.getByTestId('feed-item').first().waitFor();
await page.waitForFunction(
  () => {
    const v = document.querySelector('[data-active="true"] video');
    return v instanceof HTMLVideoElement && v.currentTime > 1;
  },
  null,
  { timeout: 20000 },
);
const state1 = await page.evaluate(() => {
  const v = document.querySelector('[data-active="true"] video');
  return v instanceof HTMLVideoElement ? { muted: v.muted, paused: v.paused, t: v.currentTime, w: v.videoWidth, h: v.videoHeight } : null;
});
console.log('active video', state1);
await shot('feed');

step('unmute, tap-pause, next item');
await page.locator('[data-active="true"]').getByTestId('unmute').click();
console.log('muted after unmute click', await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-active="true"] video')?.muted));
await page.locator('[data-active="true"] .player').click({ position: { x: 195, y: 400 } });
await page.waitForTimeout(300);
await shot('feed-paused');
await page.locator('[data-active="true"] .player').click({ position: { x: 195, y: 400 } });
await page.getByTestId('feed').evaluate((el) => el.scrollBy(0, el.clientHeight));
await page.waitForTimeout(1500);
const attached = await page.evaluate(() =>
  [...document.querySelectorAll('[data-testid="feed-item"]')].map(
    (el) => `${el.getAttribute('data-index')}:${el.getAttribute('data-active')}:${el.querySelector('video')?.getAttribute('src') ? 'src' : '-'}`,
  ),
);
console.log('items', attached.join(' '));
console.log('second item muted', await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-active="true"] video')?.muted));

step('profile from overlay, then back restores the feed position');
await page.locator('[data-active="true"] .overlay-author-link').click();
await page.getByTestId('profile-name').waitFor();
await page.goBack();
await page.getByTestId('feed-item').first().waitFor();
await page.waitForTimeout(800);
console.log('active after back:', await page.locator('[data-active="true"]').getAttribute('data-index'));

step('following tab signed out');
await page.getByTestId('tab-following').click();
await page.waitForTimeout(400);
await shot('following-signed-out');

step('signup');
await page.goto(`${BASE}/signup`);
await shot('signup');
await page.getByTestId('signup-username').fill('kid' + Date.now().toString(36).slice(-5));
await page.getByTestId('signup-password').fill('correct horse battery');
await page.getByTestId('signup-birthdate').fill('2020-01-01');
await page.getByTestId('signup-submit').click();
await page.getByTestId('error').waitFor();
console.log('under-13 error:', await page.getByTestId('error').textContent());
await shot('signup-too-young');
const username = 'web' + Date.now().toString(36).slice(-6);
await page.getByTestId('signup-username').fill(username);
await page.getByTestId('signup-display-name').fill('Web Tester');
await page.getByTestId('signup-birthdate').fill('1995-05-05');
await page.getByTestId('signup-submit').click();
await page.waitForURL(`${BASE}/`);
await page.getByTestId('feed-item').first().waitFor();
await page.waitForTimeout(1500);
await shot('feed-signed-in');

step('follow from overlay');
const follow = page.locator('[data-active="true"]').getByTestId('follow-button');
await follow.waitFor({ timeout: 5000 });
await follow.click();
await page.waitForFunction(() => document.querySelector('[data-active="true"] [data-testid="follow-button"]')?.getAttribute('data-following') === 'true');
console.log('followed via overlay');

step('following tab signed in');
await page.getByTestId('tab-following').click();
await page.getByTestId('feed-item').first().waitFor({ timeout: 10000 });
await page.waitForTimeout(1200);
await shot('following');

step('upload: not a video');
await page.getByTestId('nav-upload').click();
await page.getByTestId('upload-file').setInputFiles(NOT_VIDEO);
await shot('upload');
await page.getByTestId('upload-submit').click();
await page.getByTestId('error').waitFor({ timeout: 15000 });
console.log('not-a-video error:', await page.getByTestId('error').textContent());
await shot('upload-error');

step('upload: real clip');
await page.getByTestId('upload-file').setInputFiles(CLIP);
await page.getByTestId('upload-caption').fill('Smoke test clip #test #flick with @ana.dance');
await page.waitForTimeout(500);
await shot('upload-filled');
await page.getByTestId('upload-submit').click();
await page
  .getByTestId('upload-progress')
  .waitFor()
  .catch(() => undefined);
await page.getByTestId('processing-status').waitFor({ timeout: 30000 });
await page.waitForTimeout(1200);
await shot('upload-processing');
console.log('processing:', await page.getByTestId('processing-status').evaluate((el) => `${el.dataset.status}/${el.dataset.phase}`));
await page.getByRole('link', { name: 'My videos' }).click();
await page.locator('.tile[data-status]').first().waitFor();
await page.waitForTimeout(300);
await shot('profile-processing');
console.log(
  'grid tiles:',
  await page.locator('.tile').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-status')}/${e.getAttribute('data-phase')}`).join(' ')),
);
await page.getByTestId('nav-upload').click();
await page.getByTestId('processing-status').waitFor();
await page.getByTestId('watch-link').waitFor({ timeout: 120000 });
await shot('upload-ready');
await page.getByTestId('watch-link').click();
await page.waitForFunction(
  () => {
    const v = document.querySelector('video');
    return v instanceof HTMLVideoElement && v.currentTime > 0.5;
  },
  null,
  { timeout: 20000 },
);
await shot('video-page');

step('profile');
await page.getByTestId('nav-profile').click();
await page.getByTestId('profile-name').waitFor();
await page.waitForTimeout(800);
await shot('profile');
await page.getByTestId('edit-profile').click();
await page.waitForTimeout(300);
await shot('profile-edit');
await page.getByTestId('edit-bio').fill('Testing Flick from a headless browser.');
await page.getByTestId('edit-save').click();
await page.waitForTimeout(800);

step('other profile');
await page.goto(`${BASE}/@ana.dance`);
await page.getByTestId('profile-name').waitFor();
await page.waitForTimeout(800);
await shot('profile-other');

step('login page');
await page.goto(`${BASE}/@${username}`);
await page.getByTestId('logout').click();
await page.waitForURL(`${BASE}/`);
await page.goto(`${BASE}/login`);
await page.getByTestId('login-username').fill(username);
await page.getByTestId('login-password').fill('wrong password');
await page.getByTestId('login-submit').click();
await page.getByTestId('error').waitFor();
console.log('bad login error:', await page.getByTestId('error').textContent());
await shot('login-error');

// Let the event queue flush, then report.
await page.waitForTimeout(5500);
const byType: Record<string, number> = {};
for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
console.log('events sent:', JSON.stringify(byType), 'feeds:', [...new Set(events.map((e) => e.feed))].join(','));
console.log(
  events
    .slice(0, 12)
    .map((e) => `${e.type}:${e.videoId.slice(0, 6)}:${e.watchMs ?? ''}:${e.positionMs ?? ''}:${e.durationMs ?? ''}:${e.feed}`)
    .join('\n'),
);
console.log(problems.length ? `problems:\n${problems.join('\n')}` : 'no console errors');
step('desktop');
const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await desktop.goto(`${BASE}/`);
await desktop.getByTestId('feed-item').first().waitFor();
await desktop.waitForTimeout(1500);
await desktop.screenshot({ path: path.join(OUT, 'desktop-feed.png') });
await desktop.goto(`${BASE}/@ana.dance`);
await desktop.getByTestId('profile-name').waitFor();
await desktop.waitForTimeout(800);
await desktop.screenshot({ path: path.join(OUT, 'desktop-profile.png') });
await browser.close();
