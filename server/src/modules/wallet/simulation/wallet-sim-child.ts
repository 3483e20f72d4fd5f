/**
 * The wallet in its own process, for the crash simulation: `node wallet-sim-child.ts '<target json>'`.
 * The real wallet service over the real ledger, identity, videos repository, sandbox payment and payout providers, on
 * a PGlite data directory or a PostgreSQL database. One JSON request per line on stdin, one JSON answer per request on
 * stdout (requests run concurrently). The parent SIGKILLs it at random points and starts it again on the same data.
 * Each request carries the simulated time; the clock only moves forward.
 */
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import pino from 'pino';
import { sql } from 'kysely';
import { migrate, openDb } from '../../../platform/db/db.ts';
import { createFsBlobStore } from '../../../platform/blob/fs-blob-store.ts';
import { AppError } from '../../../http/errors.ts';
import { createLedgerService } from '../../ledger/ledger.service.ts';
import { createIdentityRepo } from '../../identity/identity.repo.ts';
import { createIdentityService, type SessionUser } from '../../identity/identity.service.ts';
import { ADULT_AGE, ageOn } from '../../identity/age.ts';
import { createVideosRepo } from '../../videos/videos.repo.ts';
import { createSandboxPayoutProvider, createSandboxProvider, SANDBOX_SIGNATURE_HEADER } from '../../payments/sandbox-provider.ts';
import { PaymentProviderError, WebhookSignatureError, type PaymentProvider, type PayoutProvider } from '../../payments/payment-provider.ts';
import { createWalletService } from '../wallet.service.ts';
import type { SimTarget } from '../../ledger/simulation/sim-child.ts';

export type SimUser = { id: string; username: string; birthdate: string; roles: string[] };
export type SimVideo = { id: string; userId: string; visibility: 'public' | 'followers' | 'private'; status: 'ready' | 'failed' };

/** A wallet call made as a user (the route's parsing is the caller's job; the service's own checks are under test). */
export type WalletCall =
  | { fn: 'buyCoins'; as: string; id: string; packageId: string; card: string }
  | { fn: 'complete3ds'; as: string; purchaseId: string; approve: boolean }
  | { fn: 'sendGift'; as: string; videoId: string; id: string; giftId: string }
  | { fn: 'requestPayout'; as: string; id: string; diamonds: number }
  | { fn: 'approvePayout'; as: string; id: string }
  | { fn: 'rejectPayout'; as: string; id: string; reason: string }
  | { fn: 'refundPurchase'; as: string; id: string }
  | { fn: 'chargeback'; as: string; id: string }
  | { fn: 'setSpendingLimit'; as: string; cents: number | null }
  | { fn: 'suspend'; as: string; username: string; suspend: boolean };

export type WalletChildRequest =
  | { rid: number; op: 'setup'; now: string; users: SimUser[]; videos: SimVideo[] }
  | { rid: number; op: 'call'; now: string; call: WalletCall }
  | { rid: number; op: 'outbox'; now: string }
  | { rid: number; op: 'webhook'; now: string; body: string; signature: 'valid' | 'wrong_secret' | 'stale' | 'none' }
  | { rid: number; op: 'expire'; now: string }
  /** Arms a crash: the next provider call at this point SIGKILLs this process (inside the window it names). */
  | { rid: number; op: 'arm'; now: string; point: CrashPoint }
  /** The payments.recover job. */
  | { rid: number; op: 'recover'; now: string }
  | { rid: number; op: 'check'; now: string; full: boolean };

/**
 * Where an armed crash lands: after the payout provider paid and before our transaction records it; after the payment
 * provider created a payment and before we record its answer; before the payment provider is called (our row committed).
 */
export type CrashPoint = 'payout_after_pay' | 'purchase_after_create' | 'purchase_before_create';

/** An answer to a call: the service's result, or the error it refused with. */
export type CallAnswer = { ok: unknown } | { err: { status: number; code: string; message: string } };

const target = JSON.parse(process.argv[2] ?? '{}') as SimTarget;
const dbh = target.kind === 'pglite' ? await openDb({ kind: 'pglite', dataDir: target.dataDir }) : await openDb({ kind: 'postgres', url: target.url, max: 8 });
await migrate(dbh.pool);
const db = dbh.db;
let now = new Date(0);
const clock = { now: () => now };
const log = pino({ level: 'silent' });
const ledger = createLedgerService({ db, clock });
const identity = createIdentityService({ repo: createIdentityRepo(db), blob: createFsBlobStore(path.join(os.tmpdir(), 'flick-wallet-sim-blobs')), clock });
const videosRepo = createVideosRepo(db);
const sandbox = await createSandboxProvider({ db, clock });
let armed: CrashPoint | null = null;
const crashAt = (point: CrashPoint) => {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
};
// The real sandbox providers, with the armed crash points around their calls.
const payments: PaymentProvider = {
  ...sandbox,
  async createPayment(p) {
    crashAt('purchase_before_create');
    const created = await sandbox.createPayment(p);
    crashAt('purchase_after_create');
    return created;
  },
};
const sandboxPayouts = createSandboxPayoutProvider({ db });
const payouts: PayoutProvider = {
  ...sandboxPayouts,
  async pay(p) {
    const paid = await sandboxPayouts.pay(p);
    crashAt('payout_after_pay');
    return paid;
  },
};
const wallet = createWalletService({ db, clock, log, ledger, identity, videosRepo, payments, payouts });

async function session(id: string): Promise<SessionUser> {
  const u = await identity.byId(id);
  if (!u) throw new Error(`no user ${id}`);
  return { id: u.id, username: u.username, roles: u.roles as SessionUser['roles'], isMinor: ageOn(u.birthdate.toISOString().slice(0, 10), now) < ADULT_AGE };
}

/** What the routes do around the service (wallet.routes.ts), for the two sandbox-only actions. */
async function call(c: WalletCall): Promise<unknown> {
  const user = await session(c.as);
  switch (c.fn) {
    case 'buyCoins':
      return wallet.buyCoins(user, { id: c.id, packageId: c.packageId, paymentMethod: c.card });
    case 'complete3ds': {
      const p = await wallet.ownPurchase(user, c.purchaseId);
      try {
        await sandbox.complete3ds(p.id, c.approve);
      } catch (err) {
        if (err instanceof PaymentProviderError) throw new AppError(409, 'no_action_pending', err.message);
        throw err;
      }
      return wallet.purchase(user, p.id);
    }
    case 'sendGift':
      return wallet.sendGift(user, c.videoId, { id: c.id, giftId: c.giftId });
    case 'requestPayout':
      return wallet.requestPayout(user, { id: c.id, diamonds: c.diamonds });
    case 'approvePayout':
      return wallet.approvePayout(user, c.id);
    case 'rejectPayout':
      return wallet.rejectPayout(user, c.id, c.reason);
    case 'refundPurchase':
      return wallet.refundPurchase(user, c.id);
    case 'chargeback': {
      wallet.requireRole(user, ['admin']);
      const p = await wallet.purchaseRow(c.id);
      if (!p) throw new AppError(404, 'not_found', 'purchase not found');
      if (!p.provider_ref) throw new AppError(409, 'not_disputable', 'this purchase has no payment yet');
      try {
        await sandbox.dispute(p.provider_ref);
      } catch (err) {
        if (err instanceof PaymentProviderError) throw new AppError(409, 'not_disputable', err.message);
        throw err;
      }
      return { ok: true };
    }
    case 'setSpendingLimit':
      return wallet.setSpendingLimit(user, c.cents);
    case 'suspend':
      return identity.setSuspended(user, c.username, c.suspend, c.suspend ? 'simulated abuse report' : 'appeal upheld');
  }
}

async function handle(m: WalletChildRequest): Promise<unknown> {
  const at = new Date(m.now);
  if (at > now) now = at;
  switch (m.op) {
    case 'setup': {
      // Idempotent, so it can be sent again after a kill.
      for (const u of m.users)
        await db
          .insertInto('users')
          .values({ id: u.id, username: u.username, password_hash: 'x', birthdate: u.birthdate, display_name: u.username, roles: u.roles })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      for (const v of m.videos)
        await db
          .insertInto('videos')
          .values({
            id: v.id,
            user_id: v.userId,
            caption: 'simulated',
            visibility: v.visibility,
            status: v.status,
            phase: v.status,
            progress: 100,
            hls_key: `videos/${v.id}/hls/master.m3u8`,
            renditions: '[]',
            thumbnails: '[]',
            duration_ms: 10_000,
            created_at: now,
            published_at: now,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      return { users: m.users.length, videos: m.videos.length };
    }
    case 'call':
      try {
        return { ok: await call(m.call) } satisfies CallAnswer;
      } catch (err) {
        if (err instanceof AppError) return { err: { status: err.status, code: err.code, message: err.message } } satisfies CallAnswer;
        throw err;
      }
    case 'outbox':
      return db.selectFrom('sandbox_webhooks').select(['id', 'payload']).where('delivered_at', 'is', null).orderBy('seq').execute();
    case 'webhook': {
      const sec = Math.floor(now.getTime() / 1000);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (m.signature === 'valid') headers[SANDBOX_SIGNATURE_HEADER] = sandbox.sign(m.body);
      if (m.signature === 'stale') headers[SANDBOX_SIGNATURE_HEADER] = sandbox.sign(m.body, sec - 3600);
      if (m.signature === 'wrong_secret') headers[SANDBOX_SIGNATURE_HEADER] = `t=${sec},v1=${'ab'.repeat(32)}`;
      try {
        const r = await wallet.handleWebhook('sandbox', m.body, headers);
        const id = (JSON.parse(m.body) as { id: string }).id;
        await db.updateTable('sandbox_webhooks').set({ delivered_at: now }).where('id', '=', id).where('delivered_at', 'is', null).execute();
        return { ok: r } satisfies CallAnswer;
      } catch (err) {
        if (err instanceof AppError) return { err: { status: err.status, code: err.code, message: err.message } } satisfies CallAnswer;
        if (err instanceof WebhookSignatureError) return { err: { status: 400, code: 'invalid_signature', message: err.message } } satisfies CallAnswer;
        throw err;
      }
    }
    case 'expire':
      return ledger.expirePending(now);
    case 'arm':
      armed = m.point;
      return { armed };
    case 'recover':
      return wallet.recover();
    case 'check': {
      const accounts = await db
        .selectFrom('ledger_accounts')
        .select([
          'id',
          'asset',
          'kind',
          'owner_id',
          'debits_must_not_exceed_credits',
          'credits_must_not_exceed_debits',
          'debits_posted',
          'credits_posted',
          'debits_pending',
          'credits_pending',
        ])
        .execute();
      const purchases = await db
        .selectFrom('wallet_purchases')
        .leftJoin('sandbox_payments', 'sandbox_payments.purchase_id', 'wallet_purchases.id')
        .select([
          'wallet_purchases.id',
          'wallet_purchases.status',
          'wallet_purchases.credited_at',
          'wallet_purchases.clawed_back_coins',
          'wallet_purchases.recovery_coins',
          'sandbox_payments.status as provider_status',
        ])
        .execute();
      const payouts = await db
        .selectFrom('wallet_payouts')
        .leftJoin('sandbox_payouts', 'sandbox_payouts.payout_id', 'wallet_payouts.id')
        .leftJoin('ledger_transfers', 'ledger_transfers.id', 'wallet_payouts.id')
        .select(['wallet_payouts.id', 'wallet_payouts.status', 'sandbox_payouts.amount_cents as paid_cents', 'ledger_transfers.state as ledger_state'])
        .execute();
      // Money recorded as paid out, per payout (at most one transfer each: a payout posted twice would show 2).
      const payoutUsd = (
        await sql<{ payout_id: string; n: number }>`SELECT meta->>'payoutId' AS payout_id, count(*)::int AS n FROM ledger_transfers
          WHERE code = 'payout' AND asset = 'USD' GROUP BY 1`.execute(db)
      ).rows;
      // Intents a crash left half-done: purchases still unstarted (no provider reference) and approvals not yet recorded.
      const unstarted = (await db.selectFrom('wallet_purchases').select('id').where('status', '=', 'pending').where('provider_ref', 'is', null).execute()).map(
        (x) => x.id,
      );
      // Coin credits per purchase (the transfer whose id is the purchase id), and any business event written twice.
      const credits = (
        await sql<{ purchase_id: string; n: number }>`SELECT meta->>'purchaseId' AS purchase_id, count(*)::int AS n FROM ledger_transfers
          WHERE code = 'coin_purchase' AND asset = 'COIN' GROUP BY 1`.execute(db)
      ).rows;
      const gifts = Number(
        (
          await db
            .selectFrom('wallet_gifts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const events = Number(
        (
          await db
            .selectFrom('payment_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const report = m.full ? await ledger.reconcile() : null;
      return { accounts, purchases, payouts, payoutUsd, unstarted, credits, gifts, events, report };
    }
  }
}

const send = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const m = JSON.parse(line) as WalletChildRequest;
  handle(m).then(
    (result) => send({ rid: m.rid, result }),
    (err: unknown) => send({ rid: m.rid, error: `${(err as Error).name}: ${(err as Error).message}` }),
  );
});
rl.on('close', () => void dbh.close().then(() => process.exit(0)));
send({ ready: true });
