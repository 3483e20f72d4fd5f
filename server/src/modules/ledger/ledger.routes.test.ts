import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Client } from '@flick/contracts';
import { createTestApp, type TestApp, type TestUser } from '../../testing/harness.ts';

const rejects = async (p: Promise<unknown>, status: number, code?: string) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    if (code) assert.equal(e.code, code);
    return true;
  });
};

describe('ledger staff API', () => {
  let t: TestApp;
  let admin: Client, support: Client, moderator: TestUser, plain: TestUser, fan: TestUser;
  let walletId: string, pendingId: string;

  before(async () => {
    t = await createTestApp();
    const a = await t.newUser();
    await t.ctx.identity.ensureAdmin(a.me.username, undefined);
    const jar = t.clientWithJar();
    await jar.client.call('login', { body: { username: a.me.username, password: a.password } });
    admin = jar.client;
    const s = await t.newUser();
    await admin.call('grantRoles', { params: { username: s.me.username }, body: { roles: ['support'] } });
    const sj = t.clientWithJar();
    await sj.client.call('login', { body: { username: s.me.username, password: s.password } });
    support = sj.client;
    moderator = await t.newUser();
    await admin.call('grantRoles', { params: { username: moderator.me.username }, body: { roles: ['moderator'] } });
    const mj = t.clientWithJar();
    await mj.client.call('login', { body: { username: moderator.me.username, password: moderator.password } });
    moderator = { ...moderator, client: mj.client };
    plain = await t.newUser();
    fan = await t.newUser({ username: `ledgerfan_${crypto.randomBytes(2).toString('hex')}` });

    // Some money: a purchase, a gift into platform revenue, a pending payout.
    const L = t.ctx.ledger;
    const issuance = await L.ensureAccount({ asset: 'COIN', kind: 'coin_issuance' });
    const revenue = await L.ensureAccount({ asset: 'COIN', kind: 'platform_revenue' });
    const wallet = await L.ensureAccount({ asset: 'COIN', kind: 'wallet', ownerId: fan.me.id, flags: { debitsMustNotExceedCredits: true } });
    const payable = await L.ensureAccount({ asset: 'COIN', kind: 'payouts_payable' });
    walletId = wallet.id;
    pendingId = crypto.randomUUID();
    const res = await L.createTransfers([
      { id: crypto.randomUUID(), debitAccountId: issuance.id, creditAccountId: wallet.id, amount: 1000, code: 'coin_purchase' },
      ...Array.from({ length: 5 }, () => ({ id: crypto.randomUUID(), debitAccountId: wallet.id, creditAccountId: revenue.id, amount: 30, code: 'gift' })),
      { id: crypto.randomUUID(), debitAccountId: revenue.id, creditAccountId: wallet.id, amount: 30, code: 'refund' },
      { id: pendingId, debitAccountId: wallet.id, creditAccountId: payable.id, amount: 100, code: 'payout', pendingTimeoutSec: 3600 },
    ]);
    assert.ok(res.every((r) => r.status === 'created'));
  });
  after(() => t.close());

  test('only admin and support may read the ledger: others 403, anonymous 401', async () => {
    const calls: ((c: Client) => Promise<unknown>)[] = [
      (c) => c.call('ledgerAccounts', {}),
      (c) => c.call('ledgerAccount', { params: { id: walletId } }),
      (c) => c.call('ledgerTransfer', { params: { id: pendingId } }),
      (c) => c.call('ledgerReconciliation'),
      (c) => c.call('ledgerReconcileNow'),
      (c) => c.call('ledgerRevenue', {}),
    ];
    for (const call of calls) {
      await rejects(call(t.anon), 401);
      await rejects(call(plain.client), 403, 'forbidden');
      await rejects(call(fan.client), 403, 'forbidden'); // not even for one's own account
      await rejects(call(moderator.client), 403, 'forbidden');
      await call(admin);
      await call(support);
    }
  });

  test('search accounts by owner username, id, kind and asset', async () => {
    const byName = await support.call('ledgerAccounts', { query: { q: fan.me.username.slice(0, 8) } });
    assert.ok(byName.items.some((a) => a.id === walletId && a.ownerUsername === fan.me.username));
    const byOwner = await support.call('ledgerAccounts', { query: { q: fan.me.id } });
    assert.deepEqual(
      byOwner.items.map((a) => a.id),
      [walletId],
    );
    const byId = await support.call('ledgerAccounts', { query: { q: walletId } });
    assert.equal(byId.items[0]!.balance, 1000 - 150 + 30 - 0);
    assert.equal(byId.items[0]!.debitsPending, 100);
    const platform = await support.call('ledgerAccounts', { query: { kind: 'platform_revenue', asset: 'COIN' } });
    assert.deepEqual(
      platform.items.map((a) => [a.kind, a.ownerId]),
      [['platform_revenue', null]],
    );
    assert.equal((await support.call('ledgerAccounts', { query: { asset: 'USD' } })).items.length, 0);
    const page1 = await support.call('ledgerAccounts', { query: { limit: 2 } });
    const page2 = await support.call('ledgerAccounts', { query: { limit: 2, cursor: page1.nextCursor! } });
    assert.equal(page1.items.length, 2);
    assert.ok(page2.items.length >= 2 && !page2.items.some((a) => page1.items.some((b) => b.id === a.id)));
    await rejects(support.call('ledgerAccounts', { query: { asset: 'EUR' as 'USD' } }), 400, 'invalid_request');
    await rejects(support.call('ledgerAccounts', { query: { kind: 'DROP TABLE' } }), 400, 'invalid_request');
    await rejects(support.call('ledgerAccounts', { query: { cursor: 'forged' } }), 400, 'invalid_cursor');
  });

  test('an account with its transfers (paged), a transfer with its accounts and resolution', async () => {
    const d = await admin.call('ledgerAccount', { params: { id: walletId }, query: { limit: 3 } });
    assert.equal(d.account.id, walletId);
    assert.deepEqual(
      d.transfers.items.map((x) => x.code),
      ['payout', 'refund', 'gift'],
    );
    const rest = await admin.call('ledgerAccount', { params: { id: walletId }, query: { limit: 10, cursor: d.transfers.nextCursor! } });
    assert.equal(rest.transfers.items.length, 5);
    assert.equal(rest.transfers.nextCursor, null);
    const tr = await admin.call('ledgerTransfer', { params: { id: pendingId } });
    assert.deepEqual(
      [tr.transfer.state, tr.transfer.kind, tr.debitAccount.id, tr.creditAccount.kind, tr.related.length],
      ['pending', 'pending', walletId, 'payouts_payable', 0],
    );
    await t.ctx.ledger.createTransfers([
      { id: crypto.randomUUID(), debitAccountId: walletId, creditAccountId: tr.creditAccount.id, amount: 0, code: 'payout', postPendingId: pendingId },
    ]);
    const posted = await admin.call('ledgerTransfer', { params: { id: pendingId } });
    assert.deepEqual([posted.transfer.state, posted.related[0]?.kind], ['posted', 'post']);
    await rejects(admin.call('ledgerAccount', { params: { id: crypto.randomUUID() } }), 404, 'not_found');
    await rejects(admin.call('ledgerTransfer', { params: { id: crypto.randomUUID() } }), 404, 'not_found');
    await rejects(admin.call('ledgerTransfer', { params: { id: 'nope' } }), 400, 'invalid_request');
  });

  test('reconciliation: run now stores the report, which is then the last one served', async () => {
    // An earlier test's "run now" may have stored one; a fresh run must be ok and become the last.
    const ran = await support.call('ledgerReconcileNow');
    assert.equal(ran.report!.ok, true, JSON.stringify(ran.report!.violations));
    const coin = ran.report!.assets.find((a) => a.asset === 'COIN')!;
    assert.equal(coin.debitsPosted, coin.creditsPosted);
    assert.ok(ran.report!.transfers >= 8);
    const last = await admin.call('ledgerReconciliation');
    assert.deepEqual(last.report, ran.report);
  });

  test('platform revenue by day per asset', async () => {
    const r = await admin.call('ledgerRevenue', { query: { days: 7 } });
    const today = new Date().toISOString().slice(0, 10);
    const coin = r.days.find((d) => d.asset === 'COIN' && d.day === today)!;
    assert.deepEqual([coin.credited, coin.debited, coin.net], [150, 30, 120]);
    assert.deepEqual(r.totals, [{ asset: 'COIN', credited: 150, debited: 30, net: 120 }]);
    await rejects(admin.call('ledgerRevenue', { query: { days: 0 } }), 400, 'invalid_request');
  });
});
