// End-to-end staff ledger: support staff open /staff/ledger, run reconciliation, find a user's accounts, follow a
// purchase and a gift through their transfers, and see platform revenue; a plain user is turned away. Debian's
// Chromium; screenshots land in test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, skipWithoutBrowser } from './browser.ts';
import { createTestApp, eventually, insertReadyVideo, type TestApp } from '../../server/src/testing/harness.ts';
import { repoRoot } from '../../server/src/context.ts';
import { SANDBOX_CARDS } from '../../server/src/modules/payments/sandbox-provider.ts';

const outDir = path.join(repoRoot, 'test-output');

describe('staff ledger explorer end to end', { skip: skipWithoutBrowser }, () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    t = await createTestApp({ worker: true, http: { webDist: path.join(repoRoot, 'web', 'dist') } });
    await fsp.mkdir(outDir, { recursive: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `ledger-${name}.png`) });
  const logIn = async (username: string, password: string, next: string) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(`${t.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${t.baseUrl}${next}`);
    return page;
  };

  test('support runs reconciliation, finds a wallet, follows a purchase and a gift through the ledger', async () => {
    // Money that moved through the real flows: a purchase credited by the sandbox's webhook, then a gift.
    const fan = await t.newUser({ username: 'ledger_fan' });
    const creator = await t.newUser({ username: 'ledger_creator' });
    const video = await insertReadyVideo(t, { userId: creator.me.id, caption: 'ledger e2e', at: new Date() });
    const purchase = await fan.client.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: 'coins_500', paymentMethod: SANDBOX_CARDS.success } });
    await eventually(async () => ((await fan.client.call('wallet')).coins === 500 ? true : undefined), 30_000);
    const gift = await fan.client.call('sendGift', { params: { id: video }, body: { id: crypto.randomUUID(), giftId: 'star' } });

    const support = await t.newUser({ username: 'ledger_support' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'support'] })
      .where('id', '=', support.me.id)
      .execute();

    // A plain user gets the staff-only page, and the API says 403.
    const plain = await logIn('ledger_fan', fan.password, '/staff/ledger');
    await plain.getByText('Staff only').waitFor();
    assert.equal(await plain.getByTestId('staff-ledger').count(), 0);

    const page = await logIn('ledger_support', support.password, '/staff/ledger');
    await page.getByTestId('staff-ledger').waitFor();
    // Reconciliation on demand: balanced, with the transfers made above counted.
    await page.getByTestId('ledger-reconcile-now').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="ledger-reconcile-status"]')?.textContent?.startsWith('Balanced'));
    const status = (await page.getByTestId('ledger-reconcile-status').textContent()) ?? '';
    const transfers = Number(/(\d+) transfers/.exec(status)?.[1]);
    assert.ok(transfers >= 5, `purchase (2) and gift (3) transfers counted: ${status}`);
    const coinRow = page.getByTestId('ledger-reconciliation').locator('tr', { hasText: 'COIN' });
    assert.match((await coinRow.textContent()) ?? '', /✓/);
    // Platform revenue by day: the platform's half of the 50-coin gift.
    await page.getByTestId('ledger-revenue').locator('tr', { hasText: 'COIN' }).first().waitFor();
    assert.match((await page.getByTestId('ledger-revenue').locator('tr', { hasText: 'COIN' }).first().textContent()) ?? '', /25/);
    await shot(page, 'reconciled');

    // Search by username: the fan's coin wallet, with 450 coins left.
    await page.getByTestId('ledger-q').fill('ledger_fan');
    await page.getByTestId('ledger-search').click();
    const walletRow = page.getByTestId('ledger-account-row').filter({ hasText: 'wallet' });
    await walletRow.waitFor();
    assert.match((await walletRow.textContent()) ?? '', /@ledger_fan.*wallet.*COIN.*450/);
    await walletRow.click();
    const account = page.getByTestId('ledger-account');
    await account.waitFor();
    assert.match((await account.textContent()) ?? '', /no overdraft/);
    // Its transfers: the purchase's credit (+500) and the gift's two debits.
    const rows = account.getByTestId('ledger-transfers').locator('tr');
    await eventually(async () => ((await rows.count()) === 3 ? true : undefined), 10_000);
    assert.match((await rows.filter({ hasText: 'coin_purchase' }).textContent()) ?? '', /\+500/);
    assert.equal(await rows.filter({ hasText: 'gift' }).count(), 2);
    await shot(page, 'account');

    // The purchase's transfer: its id is the purchase id; the debit side is the platform's coin issuance.
    await rows.filter({ hasText: 'coin_purchase' }).click();
    const detail = page.getByTestId('ledger-transfer');
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    assert.ok(text.includes(purchase.id), 'the coin credit carries the purchase id');
    assert.match(text, /coin_issuance/);
    assert.match(text, /wallet @ledger_fan/);
    await shot(page, 'transfer');

    // Search by id: a gift's id is the id of its diamond transfer, which opens straight away.
    await page.getByTestId('ledger-q').fill(gift.id);
    await page.getByTestId('ledger-search').click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="ledger-transfer"]')?.textContent?.includes(id), gift.id);
    assert.match((await detail.textContent()) ?? '', /gift_earning/);

    // The creator's diamonds account, reached from the gift: search by the creator's name.
    await page.getByTestId('ledger-q').fill('ledger_creator');
    await page.getByTestId('ledger-search').click();
    const diamonds = page.getByTestId('ledger-account-row').filter({ hasText: 'diamonds' });
    await diamonds.waitFor();
    assert.match((await diamonds.textContent()) ?? '', /@ledger_creator.*diamonds.*DIAMOND.*25/);
    assert.equal(gift.diamonds, 25);
  });

  test('an admin suspends a creator from the staff wallet page: gifts to them are refused until the suspension is lifted', async () => {
    const admin = await t.newUser({ username: 'ledger_admin' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'admin'] })
      .where('id', '=', admin.me.id)
      .execute();
    const fan = await t.newUser();
    const creator = await t.newUser({ username: 'ledger_banned' });
    const video = await insertReadyVideo(t, { userId: creator.me.id, caption: 'suspend me', at: new Date() });
    await fan.client.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } });
    await eventually(async () => ((await fan.client.call('wallet')).coins === 100 ? true : undefined), 30_000);

    const page = await logIn('ledger_admin', admin.password, '/staff/wallets/ledger_banned');
    const card = page.getByTestId('account-standing');
    await card.waitFor();
    assert.equal(await card.getByTestId('account-status').textContent(), 'Active');
    assert.equal(await card.getByTestId('account-toggle').isDisabled(), true, 'a reason is required');
    await card.getByTestId('account-reason').fill('counterfeit gift farming');
    await card.getByTestId('account-toggle').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="account-status"]')?.textContent === 'Suspended');
    await card.getByTestId('account-actions').getByText('counterfeit gift farming — @ledger_admin').waitFor();
    await shot(page, 'suspended');

    const refused = await fan.client.call('sendGift', { params: { id: video }, body: { id: crypto.randomUUID(), giftId: 'rose' } }).catch((e: unknown) => e);
    assert.equal((refused as { code?: string }).code, 'creator_unavailable');
    assert.equal((await fan.client.call('wallet')).coins, 100, 'nothing moved');

    await card.getByTestId('account-reason').fill('appeal accepted');
    await card.getByTestId('account-toggle').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="account-status"]')?.textContent === 'Active');
    const ok = await fan.client.call('sendGift', { params: { id: video }, body: { id: crypto.randomUUID(), giftId: 'rose' } });
    assert.equal(ok.diamonds, 5);
  });
});
