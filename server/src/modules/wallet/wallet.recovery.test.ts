import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestApp, type TestApp, type TestUser } from '../../testing/harness.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { createSandboxPayoutProvider, SANDBOX_CARDS } from '../payments/sandbox-provider.ts';
import type { PaymentProvider, PayoutProvider } from '../payments/payment-provider.ts';
import { PAYMENT_INTERRUPTED, PAYMENT_RECOVERY_GRACE_SEC, PAYMENT_START_DEADLINE_SEC } from '../payments/payment-intent.ts';
import { createAdsBilling } from '../ads/ads.billing.ts';
import { createWalletService, derivedId } from './wallet.service.ts';

/**
 * Crash windows of the payment intents (docs/ledger.md, "Crash windows"): a process that dies between our committed intent
 * and the provider's answer (or between the provider's payout and our record of it) is modelled by a provider wrapper that
 * never answers (the process is gone) or that pays and then throws (the answer lost). The recovery job
 * (`wallet.recover`, `billing.recoverTopups`) must then finish every intent exactly once, or fail it safely.
 */
const uuid = () => crypto.randomUUID();
const GRACE_MS = (PAYMENT_RECOVERY_GRACE_SEC + 1) * 1000;
/** A call that never returns: the process died inside it. */
const never = () => new Promise<never>(() => undefined);

describe('payment intents: crash windows closed by the recovery job', () => {
  let t: TestApp;
  let admin: TestUser;
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  let adminSession: SessionUser;

  const wallet = (o: { payments?: PaymentProvider; payouts?: PayoutProvider } = {}) =>
    createWalletService({
      db: t.ctx.dbh.db,
      clock,
      log: t.ctx.log,
      ledger: t.ctx.ledger,
      identity: t.ctx.identity,
      videosRepo: t.ctx.videosRepo,
      payments: o.payments ?? t.ctx.sandboxPayments!,
      payouts: o.payouts ?? createSandboxPayoutProvider({ db: t.ctx.dbh.db }),
    });
  const session = (u: TestUser): SessionUser => ({ id: u.me.id, username: u.me.username, roles: u.me.roles, isMinor: false });
  const payoutRow = (id: string) => t.ctx.dbh.db.selectFrom('wallet_payouts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const providerPayouts = (id: string) => t.ctx.dbh.db.selectFrom('sandbox_payouts').selectAll().where('payout_id', '=', id).execute();
  const transfer = (id: string) => t.ctx.ledger.transfer(id);
  const diamonds = async (userId: string) => (await wallet().balances(userId)).diamonds;

  /** A creator with diamonds (funded through the ledger as gifts would) and a pending cash-out request. */
  async function creatorWithRequest(amount = 2_000) {
    const c = await t.newUser();
    const from = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
    const to = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: c.me.id, flags: { debitsMustNotExceedCredits: true } });
    await t.ctx.ledger.createTransfers([{ id: uuid(), debitAccountId: from.id, creditAccountId: to.id, amount: 5_000, code: 'test_funding' }]);
    const p = await wallet().requestPayout(session(c), { id: uuid(), diamonds: amount });
    return { c, p };
  }

  /** The payout provider pays, and then the answer is lost (the process died before our transaction committed). */
  const paysThenDies = (): PayoutProvider => {
    const real = createSandboxPayoutProvider({ db: t.ctx.dbh.db });
    return {
      name: 'sandbox',
      get: (id) => real.get(id),
      async pay(p) {
        await real.pay(p);
        throw new Error('process killed after the provider paid');
      },
    };
  };
  const diesBeforePaying = (): PayoutProvider => {
    const real = createSandboxPayoutProvider({ db: t.ctx.dbh.db });
    return { name: 'sandbox', get: (id) => real.get(id), pay: () => never() };
  };

  before(async () => {
    t = await createTestApp();
    admin = await t.newUser({ username: 'recovery_admin' });
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'admin'] })
      .where('id', '=', admin.me.id)
      .execute();
    adminSession = { ...session(admin), roles: ['user', 'admin'] };
  });
  after(async () => {
    const r = await t.ctx.ledger.reconcile();
    await t.close();
    assert.equal(r.ok, true, `ledger reconciles: ${JSON.stringify(r.violations)}`);
  });

  test('approval: the provider paid, our record was lost → the payout stays approving (never expires) and recovery posts it once', async () => {
    const { c, p } = await creatorWithRequest();
    const before = await diamonds(c.me.id);
    await assert.rejects(
      wallet({ payouts: paysThenDies() }).approvePayout(adminSession, p.id),
      (e: Error & { code?: string }) => e.code === 'payout_provider_error',
    );
    let row = await payoutRow(p.id);
    assert.equal(row.status, 'approving', 'the approval intent was committed before the provider was called');
    assert.equal(row.approved_by, admin.me.id);
    assert.ok(row.approving_at && row.last_error);
    assert.equal((await providerPayouts(p.id)).length, 1, 'the provider paid');
    assert.equal((await transfer(p.id))?.state, 'posted', 'the diamonds were posted with the intent: the ledger cannot expire them');
    assert.equal((await transfer(derivedId(p.id, 'usd'))) ?? null, null, 'the money is not recorded as paid yet');
    // Staff see it as approving, also past the 14-day timeout; the expiry job voids nothing.
    const staff = await wallet().staffPayouts(adminSession, 'approving');
    assert.ok(staff.items.some((x) => x.id === p.id && x.status === 'approving' && x.lastError && x.approvedAt));
    assert.equal((await wallet().earnings(session(c), 30)).pendingPayoutDiamonds, 2_000);
    const later = now + 15 * 86_400_000;
    assert.equal(await t.ctx.ledger.expirePending(new Date(later)), 0);
    // Recovery leaves it alone within the grace period (a driver may still be calling the provider) …
    assert.deepEqual((await wallet().recover()).payouts, { paid: 0, failed: 0 });
    // … and after it, reconciles with the provider's record and posts it, once.
    now += GRACE_MS;
    assert.deepEqual((await wallet().recover()).payouts, { paid: 1, failed: 0 });
    row = await payoutRow(p.id);
    assert.equal(row.status, 'paid');
    assert.equal(row.provider_ref, (await providerPayouts(p.id))[0]!.id);
    assert.equal(row.decided_by, admin.me.id, 'decided by the admin who approved it');
    const usd = await transfer(derivedId(p.id, 'usd'));
    assert.equal(usd?.amount, 2_000);
    assert.equal((await providerPayouts(p.id)).length, 1, 'paid once');
    assert.deepEqual((await wallet().recover()).payouts, { paid: 0, failed: 0 }, 'nothing left to do');
    await assert.rejects(wallet().approvePayout(adminSession, p.id), (e: Error & { code?: string }) => e.code === 'payout_not_pending');
    assert.equal(await diamonds(c.me.id), before, 'the paid diamonds stay paid out');
    assert.equal((await wallet().earnings(session(c), 30)).paidOutDiamonds, 2_000);
  });

  test('approval: a retried approval re-drives an approving payout (the provider is idempotent: paid once)', async () => {
    const { p } = await creatorWithRequest();
    await assert.rejects(wallet({ payouts: paysThenDies() }).approvePayout(adminSession, p.id));
    const paid = await wallet().approvePayout(adminSession, p.id);
    assert.equal(paid.status, 'paid');
    assert.equal((await providerPayouts(p.id)).length, 1);
    assert.equal(paid.providerRef, (await providerPayouts(p.id))[0]!.id);
  });

  test('approval: the process died before the provider was called → a rejection waits out the lease, asks the provider, and returns the diamonds', async () => {
    const { c, p } = await creatorWithRequest(1_500);
    const before = await diamonds(c.me.id);
    void wallet({ payouts: diesBeforePaying() }).approvePayout(adminSession, p.id);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await payoutRow(p.id)).status, 'approving');
    // Someone may be calling the provider right now: a rejection must not race it.
    await assert.rejects(wallet().rejectPayout(adminSession, p.id, 'changed my mind'), (e: Error & { code?: string }) => e.code === 'payout_in_flight');
    now += GRACE_MS;
    const rejected = await wallet().rejectPayout(adminSession, p.id, 'bank details missing');
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(await providerPayouts(p.id), [], 'the provider never paid');
    assert.equal((await transfer(derivedId(p.id, 'reverse')))?.amount, 1_500, 'the posted diamonds went back by a reversing transfer');
    assert.equal(await diamonds(c.me.id), before + 1_500);
    assert.deepEqual((await wallet().recover()).payouts, { paid: 0, failed: 0 }, 'a rejected payout is never re-driven');
  });

  test('approval: a rejection of an approving payout the provider did pay is refused, and the payout is recorded as paid', async () => {
    const { p } = await creatorWithRequest();
    await assert.rejects(wallet({ payouts: paysThenDies() }).approvePayout(adminSession, p.id));
    now += GRACE_MS;
    await assert.rejects(wallet().rejectPayout(adminSession, p.id, 'too late'), (e: Error & { code?: string }) => e.code === 'payout_already_paid');
    assert.equal((await payoutRow(p.id)).status, 'paid');
    assert.equal((await providerPayouts(p.id)).length, 1);
  });

  test('approval: the recovery job re-drives an approval whose process died before paying; a provider that keeps failing leaves it approving with the error', async () => {
    const { p } = await creatorWithRequest();
    void wallet({ payouts: diesBeforePaying() }).approvePayout(adminSession, p.id);
    await new Promise((r) => setTimeout(r, 200));
    now += GRACE_MS;
    const broken: PayoutProvider = {
      name: 'sandbox',
      get: async () => null,
      pay: async () => {
        throw new Error('payout provider unreachable');
      },
    };
    assert.deepEqual((await wallet({ payouts: broken }).recover()).payouts, { paid: 0, failed: 1 });
    const row = await payoutRow(p.id);
    assert.equal(row.status, 'approving');
    assert.equal(row.last_error, 'payout provider unreachable');
    assert.equal(row.attempts, 1);
    now += GRACE_MS;
    assert.deepEqual((await wallet().recover()).payouts, { paid: 1, failed: 0 });
    assert.equal((await payoutRow(p.id)).status, 'paid');
    assert.equal((await providerPayouts(p.id)).length, 1);
  });

  // ---- purchases ---------------------------------------------------------------------------------------------------
  const purchaseRow = (id: string) => t.ctx.dbh.db.selectFrom('wallet_purchases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** The provider creates the payment, and the process dies before its answer is recorded. */
  const createsThenDies = (): PaymentProvider => {
    const real = t.ctx.sandboxPayments!;
    return { ...real, name: 'sandbox', createPayment: async (p) => (await real.createPayment(p), never()) };
  };
  const diesBeforeCreating = (): PaymentProvider => ({ ...t.ctx.sandboxPayments!, name: 'sandbox', createPayment: () => never() });
  const credits = async (purchaseId: string) =>
    (await t.ctx.dbh.db.selectFrom('ledger_transfers').select('id').where('id', '=', purchaseId).where('code', '=', 'coin_purchase').execute()).length;
  const deliver = () => t.ctx.sandboxPayments!.deliverDue(async (body, headers) => void (await t.ctx.wallet.handleWebhook('sandbox', body, headers)));

  test('purchase: the provider charged, the process died before recording it → recovery records the answer; coins are credited once by the webhook', async () => {
    const buyer = await t.newUser();
    const id = uuid();
    void wallet({ payments: createsThenDies() }).buyCoins(session(buyer), { id, packageId: 'coins_500', paymentMethod: SANDBOX_CARDS.success });
    await new Promise((r) => setTimeout(r, 300));
    let row = await purchaseRow(id);
    assert.equal(row.status, 'pending');
    assert.equal(row.provider_ref, null, 'the answer was never recorded');
    assert.equal(row.payment_method, SANDBOX_CARDS.success, 'kept until the provider answers, to ask again');
    assert.deepEqual((await wallet().recover()).purchases, { redriven: 0, failed: 0 }, 'not within the grace period');
    now += GRACE_MS;
    assert.deepEqual((await wallet().recover()).purchases, { redriven: 1, failed: 0 });
    row = await purchaseRow(id);
    const pay = await t.ctx.dbh.db.selectFrom('sandbox_payments').selectAll().where('purchase_id', '=', id).execute();
    assert.equal(pay.length, 1, 'the provider made one payment: asking again answered the first');
    assert.equal(row.provider_ref, pay[0]!.id);
    assert.equal(row.payment_method, null, 'forgotten once the provider answered');
    await deliver();
    row = await purchaseRow(id);
    assert.equal(row.status, 'succeeded');
    assert.equal(await credits(id), 1);
    assert.deepEqual((await wallet().recover()).purchases, { redriven: 0, failed: 0 });
    assert.equal((await wallet().balances(buyer.me.id)).coins, 500);
  });

  test('purchase: the process died before the provider was called → recovery starts it (3-D Secure and declines answer as they would have)', async () => {
    const buyer = await t.newUser();
    const a = uuid();
    const b = uuid();
    void wallet({ payments: diesBeforeCreating() }).buyCoins(session(buyer), { id: a, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.threeDs });
    void wallet({ payments: diesBeforeCreating() }).buyCoins(session(buyer), { id: b, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.decline });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await t.ctx.dbh.db.selectFrom('sandbox_payments').select('id').where('purchase_id', 'in', [a, b]).executeTakeFirst(), undefined);
    now += GRACE_MS;
    assert.deepEqual((await wallet().recover()).purchases, { redriven: 2, failed: 0 });
    assert.equal((await purchaseRow(a)).status, 'requires_action');
    assert.equal((await purchaseRow(a)).action_url, `/wallet/3ds/${a}`);
    assert.equal((await purchaseRow(b)).status, 'failed');
    assert.equal((await purchaseRow(b)).failure_reason, 'card_declined');
    // The buyer's own retry (same id) after recovery is the same purchase.
    const again = await wallet().buyCoins(session(buyer), { id: a, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.threeDs });
    assert.equal(again.status, 'requires_action');
    assert.equal((await t.ctx.dbh.db.selectFrom('sandbox_payments').select('id').where('purchase_id', '=', a).execute()).length, 1);
  });

  test('purchase: an intent never started before the deadline fails clearly (and a retry does not revive it)', async () => {
    const buyer = await t.newUser();
    const id = uuid();
    void wallet({ payments: diesBeforeCreating() }).buyCoins(session(buyer), { id, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success });
    await new Promise((r) => setTimeout(r, 300));
    now += (PAYMENT_START_DEADLINE_SEC + 1) * 1000;
    assert.deepEqual((await wallet().recover()).purchases, { redriven: 0, failed: 1 });
    const row = await purchaseRow(id);
    assert.equal(row.status, 'failed');
    assert.equal(row.failure_reason, PAYMENT_INTERRUPTED);
    assert.equal(row.payment_method, null);
    assert.equal((await wallet().buyCoins(session(buyer), { id, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success })).status, 'failed');
    assert.equal(await credits(id), 0);
  });

  // ---- ads top-ups (the same helper) -------------------------------------------------------------------------------
  test('ads top-up: a start cut off by a crash is re-driven by a retry and by the recovery job; credited once', async () => {
    const brand = await t.newUser();
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Crashy brand' } });
    const billing = (payments: PaymentProvider = t.ctx.sandboxPayments!) =>
      createAdsBilling({ db: t.ctx.dbh.db, clock, log: t.ctx.log, ledger: t.ctx.ledger, payments });
    const topup = (id: string) => t.ctx.dbh.db.selectFrom('ad_topups').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const retried = uuid();
    const recovered = uuid();
    void billing(createsThenDies()).topUp(session(brand), adv.id, { id: retried, amountCents: 5_000, paymentMethod: SANDBOX_CARDS.success });
    void billing(diesBeforeCreating()).topUp(session(brand), adv.id, { id: recovered, amountCents: 2_500, paymentMethod: SANDBOX_CARDS.success });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await topup(retried)).provider_ref, null);
    // The client's retry with the same id asks the provider again instead of returning the pending row forever.
    const again = await billing().topUp(session(brand), adv.id, { id: retried, amountCents: 5_000, paymentMethod: SANDBOX_CARDS.success });
    assert.equal(again.status, 'pending');
    assert.ok((await topup(retried)).provider_ref);
    now += GRACE_MS;
    assert.deepEqual(await billing().recoverTopups(), { redriven: 1, failed: 0 });
    assert.ok((await topup(recovered)).provider_ref);
    await deliver();
    assert.equal((await topup(retried)).status, 'succeeded');
    assert.equal((await topup(recovered)).status, 'succeeded');
    assert.equal((await billing().available(adv.id)).availableCents, 7_500, 'each top-up credited once');
    assert.equal((await t.ctx.dbh.db.selectFrom('sandbox_payments').select('id').where('purchase_id', 'in', [retried, recovered]).execute()).length, 2);
  });
});
