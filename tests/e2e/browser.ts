// The one way e2e tests get a browser: Debian's Chromium (never downloaded), with the flags this
// machine needs. Without it a test file is skipped locally and fails in CI.
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`e2e needs Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** For `describe(name, { skip: skipWithoutBrowser }, …)`. */
export const skipWithoutBrowser: string | false = haveBrowser ? false : `no Chromium at ${CHROMIUM}; apt-get install chromium`;

/** `autoplay`: let videos play without a user gesture (tests that watch playback). */
export function launchBrowser(opts: { autoplay?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(opts.autoplay ? ['--autoplay-policy=no-user-gesture-required'] : []),
    ],
  });
}
