import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { freshDb } from '../../testing/harness.ts';
import { migrate } from '../../platform/db/db.ts';
import type { DbHandle } from '../../platform/db/db.ts';
import { createLedgerService, type Account, type LedgerService, type TransferRequest, type TransferResult } from './ledger.service.ts';
import { createLedgerJobs } from './ledger.jobs.ts';

const uuid = () => crypto.randomUUID();

describe('ledger service', () => {
  let dbh: DbHandle & { drop(): Promise<void> };
  let ledger: LedgerService;
  let now = new Date('2026-11-27T10:00:00Z');
  const clock = { now: () => now };
  let issuance: Account, revenue: Account, dIssuance: Account, payouts: Account, usdClearing: Account;
  const wallet = (owner: string) => ledger.ensureAccount({ asset: 'COIN', kind: 'wallet', ownerId: owner, flags: { debitsMustNotExceedCredits: true } });
  const diamonds = (owner: string) => ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: owner, flags: { debitsMustNotExceedCredits: true } });
  const fund = async (acc: Account, amount: number) => {
    const [r] = await ledger.createTransfers([{ id: uuid(), debitAccountId: issuance.id, creditAccountId: acc.id, amount, code: 'coin_purchase' }]);
    assert.equal(r!.status, 'created');
  };
  const balance = async (id: string) => {
    const a = (await ledger.account(id))!;
    return a.creditsPosted - a.debitsPosted;
  };
  /** Everything that can change: balances of every account and the number of transfers. */
  const snapshot = async () => {
    const rows = await dbh.db.selectFrom('ledger_accounts').selectAll().orderBy('id').execute();
    const n = await dbh.db
      .selectFrom('ledger_transfers')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return JSON.stringify({ rows, n });
  };
  const one = async (t: TransferRequest): Promise<TransferResult> => (await ledger.createTransfers([t]))[0]!;

  before(async () => {
    dbh = await freshDb();
    await migrate(dbh.pool);
    ledger = createLedgerService({ db: dbh.db, clock });
    issuance = await ledger.ensureAccount({ asset: 'COIN', kind: 'coin_issuance' });
    revenue = await ledger.ensureAccount({ asset: 'COIN', kind: 'platform_revenue' });
    dIssuance = await ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
    payouts = await ledger.ensureAccount({ asset: 'DIAMOND', kind: 'payouts_payable' });
    usdClearing = await ledger.ensureAccount({ asset: 'USD', kind: 'payment_clearing' });
  });
  after(() => dbh.drop());

  test('ensureAccount is idempotent on (asset, kind, owner) and validates its input', async () => {
    const owner = uuid();
    const a = await wallet(owner);
    const b = await wallet(owner);
    assert.equal(a.id, b.id);
    assert.deepEqual(a.flags, { debitsMustNotExceedCredits: true });
    assert.equal((await ledger.ensureAccount({ asset: 'COIN', kind: 'coin_issuance' })).id, issuance.id, 'platform accounts (owner null) are unique too');
    assert.equal((await ledger.findAccount('COIN', 'wallet', owner))?.id, a.id);
    assert.equal(await ledger.findAccount('DIAMOND', 'wallet', owner), undefined);
    await assert.rejects(ledger.ensureAccount({ asset: 'EUR' as 'USD', kind: 'wallet' }), /asset must be one of/);
    await assert.rejects(ledger.ensureAccount({ asset: 'COIN', kind: 'Wallet!' }), /lower_snake_case/);
    await assert.rejects(ledger.ensureAccount({ asset: 'COIN', kind: 'wallet', ownerId: 'bob' }), /UUID/);
    await assert.rejects(
      ledger.ensureAccount({ asset: 'COIN', kind: 'odd', flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true } }),
      /both/,
    );
  });

  test('a transfer moves money on both sides; a retry returns the first outcome and moves nothing', async () => {
    const w = await wallet(uuid());
    const id = uuid();
    const t: TransferRequest = { id, debitAccountId: issuance.id, creditAccountId: w.id, amount: 500, code: 'coin_purchase', meta: { purchaseId: 'p1' } };
    const [r] = await ledger.createTransfers([t]);
    assert.equal(r!.status, 'created');
    assert.equal(r!.transfer!.asset, 'COIN');
    assert.equal(r!.transfer!.state, 'posted');
    assert.deepEqual(r!.transfer!.meta, { purchaseId: 'p1' });
    const before = await snapshot();
    const again = await one({ ...t, meta: { purchaseId: 'p1' } });
    assert.equal(again.status, 'exists');
    assert.equal(again.transfer!.id, id);
    assert.equal(await snapshot(), before, 'a retry changes nothing');
    assert.equal(await balance(w.id), 500);
    assert.deepEqual(await ledger.transfer(id), r!.transfer);
    // The same id with any field changed is refused, and nothing moves.
    for (const change of [{ amount: 501 }, { code: 'gift' }, { creditAccountId: revenue.id }, { meta: { purchaseId: 'p2' } }, { pendingTimeoutSec: 60 }]) {
      const x = await one({ ...t, ...change });
      assert.deepEqual([x.status, x.error], ['failed', 'exists_with_different_fields'], JSON.stringify(change));
    }
    assert.equal(await snapshot(), before);
  });

  test('every bad input fails with a clear error and nothing moves', async () => {
    const w = await wallet(uuid());
    await fund(w, 100);
    const other = await wallet(uuid());
    const usdWallet = await ledger.ensureAccount({ asset: 'USD', kind: 'wallet', ownerId: uuid() });
    const before = await snapshot();
    const base = { debitAccountId: w.id, creditAccountId: other.id, code: 'gift' };
    const cases: [string, Record<string, unknown>, string][] = [
      ['negative amount', { amount: -5 }, 'invalid_amount'],
      ['zero amount', { amount: 0 }, 'invalid_amount'],
      ['fractional amount', { amount: 1.5 }, 'invalid_amount'],
      ['huge amount (> 2^53)', { amount: 2 ** 53 + 2 }, 'invalid_amount'],
      ['amount as a string', { amount: '10' }, 'invalid_amount'],
      ['NaN', { amount: NaN }, 'invalid_amount'],
      ['Infinity', { amount: Infinity }, 'invalid_amount'],
      ['unknown debit account', { amount: 1, debitAccountId: uuid() }, 'account_not_found'],
      ['unknown credit account', { amount: 1, creditAccountId: uuid() }, 'account_not_found'],
      ['account id not a UUID', { amount: 1, creditAccountId: 'wallet-of-bob' }, 'account_not_found'],
      ['asset mismatch', { amount: 1, creditAccountId: usdWallet.id }, 'asset_mismatch'],
      ['same account both sides', { amount: 1, creditAccountId: w.id }, 'same_account'],
      ['overdraft of a flagged account', { amount: 101 }, 'exceeds_credits'],
      ['empty code', { amount: 1, code: '' }, 'invalid_request'],
      ['code with spaces', { amount: 1, code: 'free money' }, 'invalid_request'],
      ['zero timeout', { amount: 1, pendingTimeoutSec: 0 }, 'invalid_request'],
      ['fractional timeout', { amount: 1, pendingTimeoutSec: 0.5 }, 'invalid_request'],
      ['post and void at once', { amount: 1, postPendingId: uuid(), voidPendingId: uuid() }, 'invalid_request'],
      ['meta with an object value', { amount: 1, meta: { nested: { a: 1 } } }, 'invalid_request'],
      ['meta too large', { amount: 1, meta: { blob: 'x'.repeat(5000) } }, 'invalid_request'],
      ['post of an unknown pending', { amount: 0, postPendingId: uuid() }, 'pending_not_found'],
      ['void of an unknown pending', { voidPendingId: uuid() }, 'pending_not_found'],
    ];
    for (const [what, c, error] of cases) {
      const r = await one({ id: uuid(), ...base, ...c } as TransferRequest);
      assert.deepEqual([r.status, r.error], ['failed', error], what);
      assert.equal(r.transfer, undefined);
    }
    const bad = await one({ id: 'not-a-uuid', ...base, amount: 1 });
    assert.deepEqual([bad.status, bad.error], ['failed', 'invalid_request']);
    assert.equal(await snapshot(), before.replace(/x/g, 'x'), 'no balance changed and no transfer was written');
    // A flagged credit limit is enforced too.
    const capped = await ledger.ensureAccount({ asset: 'COIN', kind: 'capped', flags: { creditsMustNotExceedDebits: true } });
    const r = await one({ id: uuid(), debitAccountId: issuance.id, creditAccountId: capped.id, amount: 1, code: 'test' });
    assert.equal(r.error, 'exceeds_debits');
    await assert.rejects(ledger.createTransfers(Array.from({ length: 9000 }, () => ({ id: uuid(), ...base, amount: 1 }))), /at most 8190/);
  });

  test('a failed id stays failed with the same error, even after the balance would allow it', async () => {
    const w = await wallet(uuid());
    const t: TransferRequest = { id: uuid(), debitAccountId: w.id, creditAccountId: revenue.id, amount: 50, code: 'gift' };
    assert.equal((await one(t)).error, 'exceeds_credits');
    await fund(w, 100);
    const again = await one(t);
    assert.deepEqual([again.status, again.error], ['failed', 'exceeds_credits']);
    assert.equal((await one({ ...t, amount: 40 })).error, 'exists_with_different_fields');
    assert.equal(await balance(w.id), 100);
  });

  test('linked transfers succeed or fail together; an open chain fails', async () => {
    const fan = await wallet(uuid());
    const creatorId = uuid();
    const d = await diamonds(creatorId);
    await fund(fan, 30);
    const gift = (amount: number): TransferRequest[] => [
      { id: uuid(), debitAccountId: fan.id, creditAccountId: revenue.id, amount, code: 'gift', linked: true },
      { id: uuid(), debitAccountId: dIssuance.id, creditAccountId: d.id, amount: amount / 2, code: 'gift_earning' },
    ];
    const ok = await ledger.createTransfers(gift(20));
    assert.deepEqual(
      ok.map((r) => r.status),
      ['created', 'created'],
    );
    const before = await snapshot();
    const tooMuch = gift(20);
    const failed = await ledger.createTransfers(tooMuch);
    assert.deepEqual(
      failed.map((r) => r.error),
      ['exceeds_credits', 'linked_event_failed'],
    );
    assert.equal(await snapshot(), before.replace(/x/g, 'x'));
    // Second member fails (unknown account): the first is rolled back.
    const broken = gift(2);
    broken[1]!.creditAccountId = uuid();
    assert.deepEqual(
      (await ledger.createTransfers(broken)).map((r) => r.error),
      ['linked_event_failed', 'account_not_found'],
    );
    // An unrelated transfer in the same batch is unaffected by a failing chain.
    const solo: TransferRequest = { id: uuid(), debitAccountId: fan.id, creditAccountId: revenue.id, amount: 1, code: 'gift' };
    const mixed = await ledger.createTransfers([...gift(1000), solo]);
    assert.deepEqual(
      mixed.map((r) => r.status),
      ['failed', 'failed', 'created'],
    );
    const open = await ledger.createTransfers([{ id: uuid(), debitAccountId: fan.id, creditAccountId: revenue.id, amount: 1, code: 'gift', linked: true }]);
    assert.equal(open[0]!.error, 'linked_chain_open');
    assert.equal(await balance(fan.id), 30 - 20 - 1);
    assert.equal(await balance(d.id), 10);
    // A retry of the failed chain returns the same failures.
    assert.deepEqual(
      (await ledger.createTransfers(tooMuch)).map((r) => r.error),
      ['exceeds_credits', 'linked_event_failed'],
    );
  });

  test('two-phase: pending reserves, post moves (partial allowed), void releases; the expiry job releases timed-out ones', async () => {
    const creator = await diamonds(uuid());
    await ledger.createTransfers([{ id: uuid(), debitAccountId: dIssuance.id, creditAccountId: creator.id, amount: 1000, code: 'gift_earning' }]);
    const hold = (amount: number, sec = 3600): TransferRequest => ({
      id: uuid(),
      debitAccountId: creator.id,
      creditAccountId: payouts.id,
      amount,
      code: 'payout',
      pendingTimeoutSec: sec,
    });
    const p1 = hold(600);
    const r1 = await one(p1);
    assert.equal(r1.transfer!.state, 'pending');
    assert.equal(r1.transfer!.timeoutAt!.getTime(), now.getTime() + 3600_000);
    let acc = (await ledger.account(creator.id))!;
    assert.deepEqual([acc.debitsPending, acc.debitsPosted], [600, 0]);
    assert.equal((await one(hold(401))).error, 'exceeds_credits', 'pending amounts count against the limit');
    const post = { id: uuid(), debitAccountId: creator.id, creditAccountId: payouts.id, amount: 500, code: 'payout', postPendingId: p1.id };
    assert.equal((await one({ ...post, id: uuid(), amount: 601 })).error, 'invalid_amount', 'a post cannot exceed its pending amount');
    assert.equal((await one({ ...post, id: uuid(), creditAccountId: dIssuance.id })).error, 'pending_mismatch');
    const posted = await one(post);
    assert.equal(posted.status, 'created');
    assert.equal((await ledger.transfer(p1.id))!.state, 'posted');
    acc = (await ledger.account(creator.id))!;
    assert.deepEqual([acc.debitsPending, acc.debitsPosted], [0, 500], 'partial post: the rest is released');
    assert.equal((await one({ ...post, id: uuid() })).error, 'pending_already_posted');
    assert.equal(
      (await one({ id: uuid(), debitAccountId: creator.id, creditAccountId: payouts.id, amount: 0, code: 'payout', voidPendingId: p1.id })).error,
      'pending_already_posted',
    );
    assert.equal((await one(post)).status, 'exists', 'a retried post is not posted twice');

    const p2 = hold(100);
    await one(p2);
    const voidIt = { id: uuid(), debitAccountId: creator.id, creditAccountId: payouts.id, amount: 0, code: 'payout_void', voidPendingId: p2.id };
    assert.equal((await one(voidIt)).status, 'created');
    assert.equal((await ledger.transfer(p2.id))!.state, 'voided');
    assert.equal((await one({ ...post, id: uuid(), postPendingId: p2.id })).error, 'pending_already_voided');
    assert.equal((await one({ ...post, id: uuid(), postPendingId: revenue.id })).error, 'pending_not_found');
    const single = await one({ id: uuid(), debitAccountId: creator.id, creditAccountId: payouts.id, amount: 1, code: 'payout' });
    assert.equal((await one({ ...post, id: uuid(), amount: 0, postPendingId: single.id })).error, 'pending_not_found', 'only a pending transfer can be posted');

    // Pending and post in one batch work; so does a linked pending + post.
    const p3 = hold(10);
    const both = await ledger.createTransfers([p3, { ...post, id: uuid(), amount: 0, postPendingId: p3.id }]);
    assert.deepEqual(
      both.map((r) => r.status),
      ['created', 'created'],
    );
    assert.equal((await ledger.transfer(p3.id))!.state, 'posted');

    // Timeouts.
    const p4 = hold(50, 60);
    await one(p4);
    now = new Date(now.getTime() + 61_000);
    assert.equal((await one({ ...post, id: uuid(), amount: 0, postPendingId: p4.id })).error, 'pending_expired', 'a timed-out pending cannot be posted');
    const jobs = createLedgerJobs({ ledger, log: pino({ level: 'silent' }) });
    assert.equal(await jobs.expire(), 1);
    assert.equal((await ledger.transfer(p4.id))!.state, 'expired');
    assert.equal(await jobs.expire(), 0, 'expiring again finds nothing');
    acc = (await ledger.account(creator.id))!;
    assert.equal(acc.debitsPending, 0);
    assert.equal((await one({ ...post, id: uuid(), amount: 0, postPendingId: p4.id })).error, 'pending_expired');
    const report = await jobs.reconcile();
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal((await ledger.repo.lastReconciliation())!.ok, true);
  });

  test('concurrent batches with the same ids and shared accounts: each id applied once, no deadlock', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => wallet(uuid())));
    for (const u of users) await fund(u, 1000);
    const batches = Array.from({ length: 12 }, (_, b) =>
      users.map((u, k) => ({ id: uuid(), debitAccountId: u.id, creditAccountId: users[(k + (b % 7) + 1) % users.length]!.id, amount: 7, code: 'gift' })),
    );
    const all = await Promise.all([...batches, ...batches].map((b) => ledger.createTransfers(b)));
    const created = all.flat().filter((r) => r.status === 'created').length;
    const exists = all.flat().filter((r) => r.status === 'exists').length;
    assert.deepEqual(
      all.flat().filter((r) => r.status === 'failed'),
      [],
    );
    assert.deepEqual([created, exists], [96, 96]);
    const report = await ledger.reconcile();
    assert.equal(report.ok, true, JSON.stringify(report.violations));
    assert.equal(
      (await Promise.all(users.map((u) => balance(u.id)))).reduce((s, x) => s + x, 0),
      8000,
    );
  });

  test('inside the caller’s transaction: rolled back with it', async () => {
    const w = await wallet(uuid());
    const id = uuid();
    await assert.rejects(
      dbh.db.transaction().execute(async (trx) => {
        const [r] = await ledger.createTransfers([{ id, debitAccountId: issuance.id, creditAccountId: w.id, amount: 5, code: 'coin_purchase' }], { trx });
        assert.equal(r!.status, 'created');
        throw new Error('caller failed after the transfer');
      }),
      /caller failed/,
    );
    assert.equal(await ledger.transfer(id), undefined);
    assert.equal(await balance(w.id), 0);
  });

  test('submit() groups concurrent callers into shared batches with the same answers', async () => {
    const w = await wallet(uuid());
    await fund(w, 100);
    const reqs = Array.from({ length: 60 }, () => ({ id: uuid(), debitAccountId: w.id, creditAccountId: revenue.id, amount: 2, code: 'gift' }));
    const results = await Promise.all(reqs.map((r) => ledger.submit([r])));
    assert.equal(results.flat().filter((r) => r.status === 'created').length, 50);
    assert.equal(results.flat().filter((r) => r.error === 'exceeds_credits').length, 10);
    assert.equal(await balance(w.id), 0);
    const usd = await ledger.transfers({ accountId: w.id, limit: 20 });
    assert.equal(usd.items.length, 20);
    const next = await ledger.transfers({ accountId: w.id, limit: 100, cursor: usd.nextCursor! });
    assert.equal(next.items.length, 31);
    assert.equal(next.nextCursor, null);
    assert.ok(usd.items[0]!.seq > next.items[0]!.seq);
    void usdClearing;
  });
});
