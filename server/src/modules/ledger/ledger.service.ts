import crypto from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest } from '../../http/errors.ts';
import { createLedgerRepo, type AccountRow, type LedgerRepo, type TransferRow } from './ledger.repo.ts';
import { reconcileLedger, type ReconcileReport } from './ledger.reconcile.ts';

export type { ReconcileReport } from './ledger.reconcile.ts';

export type Asset = 'COIN' | 'DIAMOND' | 'USD'; // integer amounts only; USD in cents (asset scale 2), COIN and DIAMOND scale 0
export const ASSETS: readonly Asset[] = ['COIN', 'DIAMOND', 'USD'];
export const assetScale: Record<Asset, number> = { COIN: 0, DIAMOND: 0, USD: 2 };
export type AccountFlags = { debitsMustNotExceedCredits?: boolean; creditsMustNotExceedDebits?: boolean };
export type Account = {
  id: string;
  asset: Asset;
  kind: string;
  ownerId: string | null;
  flags: AccountFlags;
  debitsPosted: number;
  creditsPosted: number;
  debitsPending: number;
  creditsPending: number;
  createdAt: Date;
};
export type TransferRequest = {
  id: string; // client-chosen UUID = idempotency key
  debitAccountId: string;
  creditAccountId: string;
  amount: number; // positive safe integer (for a post: ≤ the pending amount; omitted or 0 = the full pending amount)
  code: string;
  linked?: boolean; // true: this transfer and the next in the batch succeed or fail together
  pendingTimeoutSec?: number; // create a pending (two-phase) transfer; voided automatically after the timeout
  postPendingId?: string; // post (complete) an earlier pending transfer (debit/credit accounts must match it)
  voidPendingId?: string; // void an earlier pending transfer
  meta?: Record<string, string | number | boolean | null>;
};
export type TransferError =
  | 'exists_with_different_fields'
  | 'exceeds_credits'
  | 'exceeds_debits'
  | 'account_not_found'
  | 'asset_mismatch'
  | 'same_account'
  | 'invalid_amount'
  | 'linked_event_failed'
  | 'pending_not_found'
  | 'pending_already_posted'
  | 'pending_already_voided'
  | 'pending_expired'
  // Additions to the agreed interface:
  | 'pending_mismatch' // a post/void names other accounts than its pending transfer
  | 'linked_chain_open' // the batch ends inside a linked chain (the last transfer has linked: true)
  | 'invalid_request'; // a malformed field other than the amount (id not a UUID, empty code, bad timeout or meta, post and void together)

/** One line per error, for logs, staff screens and API messages (so callers need no switch of their own). */
export const transferErrorMessages: Record<TransferError, string> = {
  exists_with_different_fields: 'a transfer with this id exists with different fields',
  exceeds_credits: 'the debit account would go below zero',
  exceeds_debits: 'the credit account would exceed its debits',
  account_not_found: 'an account of the transfer does not exist',
  asset_mismatch: 'the two accounts hold different assets',
  same_account: 'the debit and credit accounts are the same',
  invalid_amount: 'the amount must be a positive safe integer (for a post: at most the pending amount)',
  linked_event_failed: 'another transfer of its linked chain failed',
  pending_not_found: 'the pending transfer does not exist',
  pending_already_posted: 'the pending transfer was already posted',
  pending_already_voided: 'the pending transfer was already voided',
  pending_expired: 'the pending transfer timed out',
  pending_mismatch: 'the accounts differ from those of the pending transfer',
  linked_chain_open: 'the batch ends with a linked transfer (an open chain)',
  invalid_request: 'a field of the transfer is malformed',
};

export type TransferKind = 'single' | 'pending' | 'post' | 'void';
export type Transfer = {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  asset: Asset;
  amount: number;
  code: string;
  state: 'posted' | 'pending' | 'voided' | 'expired';
  pendingId: string | null;
  timeoutAt: Date | null;
  meta: Record<string, unknown>;
  createdAt: Date;
  /** Addition: which of the four transfer shapes this row is. */
  kind: TransferKind;
  /** Addition: the order of commitment (a global sequence). */
  seq: number;
};
export type TransferResult = { id: string; status: 'created' | 'exists' | 'failed'; error?: TransferError; transfer?: Transfer };

export type LedgerService = {
  ensureAccount(a: { asset: Asset; kind: string; ownerId?: string | null; flags?: AccountFlags }): Promise<Account>;
  findAccount(asset: Asset, kind: string, ownerId?: string | null): Promise<Account | undefined>;
  account(id: string): Promise<Account | undefined>;
  /** One DB transaction for the whole batch (or inside the caller's `trx`). See docs/ledger.md for the rules. */
  createTransfers(batch: TransferRequest[], opts?: { trx?: Transaction<DB> }): Promise<TransferResult[]>;
  /**
   * Addition: the same as createTransfers, but concurrent callers' batches are grouped into one database
   * transaction per round trip (TigerBeetle's client batching). Each caller's batch keeps its own chains.
   */
  submit(batch: TransferRequest[]): Promise<TransferResult[]>;
  transfer(id: string): Promise<Transfer | undefined>;
  transfers(q: { accountId?: string; code?: string; limit?: number; cursor?: string }): Promise<{ items: Transfer[]; nextCursor: string | null }>;
  expirePending(now?: Date): Promise<number>;
  reconcile(): Promise<ReconcileReport>;
  repo: LedgerRepo;
  /** Addition: database transactions and transfers requested through createTransfers/submit so far (for the bench). */
  stats(): { batches: number; transfers: number };
};

export const MAX_BATCH = 8190;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KIND = /^[a-z][a-z0-9_]{0,47}$/;
const CODE = /^[a-z][a-z0-9_.:-]{0,63}$/;
const MAX_TIMEOUT_SEC = 366 * 86_400;
const MAX_META_CHARS = 2000;

const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
const isPositiveSafe = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

export function toAccount(r: AccountRow): Account {
  const flags: AccountFlags = {};
  if (r.debits_must_not_exceed_credits) flags.debitsMustNotExceedCredits = true;
  if (r.credits_must_not_exceed_debits) flags.creditsMustNotExceedDebits = true;
  return {
    id: r.id,
    asset: r.asset,
    kind: r.kind,
    ownerId: r.owner_id,
    flags,
    debitsPosted: r.debits_posted,
    creditsPosted: r.credits_posted,
    debitsPending: r.debits_pending,
    creditsPending: r.credits_pending,
    createdAt: r.created_at,
  };
}

export function toTransfer(r: TransferRow): Transfer {
  return {
    id: r.id,
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    asset: r.asset,
    amount: r.amount,
    code: r.code,
    state: r.state,
    pendingId: r.pending_id,
    timeoutAt: r.timeout_at ? new Date(r.timeout_at) : null,
    meta: r.meta ?? {},
    createdAt: new Date(r.created_at),
    kind: r.kind,
    seq: r.seq,
  };
}

/** The request's identity apart from its id: a retry must match it exactly. Key order of meta does not matter. */
export function fingerprint(t: TransferRequest): string {
  const meta = t.meta && typeof t.meta === 'object' ? Object.fromEntries(Object.entries(t.meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null;
  const amount = t.amount === undefined || t.amount === null ? 0 : t.amount;
  const text = JSON.stringify([
    t.debitAccountId,
    t.creditAccountId,
    amount,
    t.code,
    t.pendingTimeoutSec ?? null,
    t.postPendingId ?? null,
    t.voidPendingId ?? null,
    meta,
  ]);
  return crypto.createHash('sha1').update(text).digest('base64url');
}

/** Checks that need no database: the result is an error, or undefined when the request is well-formed. */
function staticError(t: TransferRequest): TransferError | undefined {
  const isPost = t.postPendingId !== undefined && t.postPendingId !== null;
  const isVoid = t.voidPendingId !== undefined && t.voidPendingId !== null;
  if (typeof t.code !== 'string' || !CODE.test(t.code)) return 'invalid_request';
  if (t.linked !== undefined && typeof t.linked !== 'boolean') return 'invalid_request';
  if (isPost && isVoid) return 'invalid_request';
  if ((isPost || isVoid) && t.pendingTimeoutSec !== undefined) return 'invalid_request';
  if (isPost && !isUuid(t.postPendingId)) return 'pending_not_found';
  if (isVoid && !isUuid(t.voidPendingId)) return 'pending_not_found';
  if (t.pendingTimeoutSec !== undefined && !(isPositiveSafe(t.pendingTimeoutSec) && t.pendingTimeoutSec <= MAX_TIMEOUT_SEC)) return 'invalid_request';
  if (t.meta !== undefined) {
    if (t.meta === null || typeof t.meta !== 'object' || Array.isArray(t.meta)) return 'invalid_request';
    for (const v of Object.values(t.meta)) if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) return 'invalid_request';
    if (JSON.stringify(t.meta).length > MAX_META_CHARS) return 'invalid_request';
  }
  if (isPost || isVoid) {
    if (!(t.amount === undefined || t.amount === null || t.amount === 0 || isPositiveSafe(t.amount))) return 'invalid_amount';
  } else if (!isPositiveSafe(t.amount)) return 'invalid_amount';
  if (t.debitAccountId === t.creditAccountId) return 'same_account';
  if (!isUuid(t.debitAccountId) || !isUuid(t.creditAccountId)) return 'account_not_found';
  return undefined;
}

/** Lock keys for transfer ids: the first 64 bits of the UUID (random enough; a collision only serialises two batches). */
const lockKey = (id: string) => BigInt.asIntN(64, BigInt(`0x${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}`));

type Bal = { row: AccountRow; dp: number; cp: number; dq: number; cq: number; dirty: boolean };
type Outcome = { status: 'created' | 'exists'; transfer: TransferRow } | { status: 'failed'; error: TransferError; record: boolean };

export function createLedgerService(deps: { db: Database; clock: Clock }): LedgerService {
  const { db, clock } = deps;
  const repo = createLedgerRepo(db);

  /** The whole batch against locked rows, in memory, then written in one statement. */
  async function execute(trx: Transaction<DB>, batch: TransferRequest[]): Promise<TransferResult[]> {
    const now = clock.now();
    const n = batch.length;
    const reqs = batch.map((t) => (t && typeof t === 'object' ? t : ({} as TransferRequest)));
    const ids = reqs.map((t) => (typeof t.id === 'string' ? t.id.toLowerCase() : ''));
    const fps = reqs.map((t) => fingerprint(t));
    const validIds = [...new Set(ids.filter((id) => UUID.test(id)))];

    // 1. Serialise batches that share a transfer id (a retry racing its original), in a fixed order.
    if (validIds.length)
      await repo.lockIds(
        trx,
        [...new Set(validIds.map(lockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    // 2. What these ids already are.
    const existing = await repo.transfersByIds(trx, validIds);
    const failedBefore = await repo.failuresByIds(trx, validIds);
    // 3. Lock pending transfers to post or void, then every account involved, each in id order (no deadlocks).
    const pendingIds = new Set<string>();
    for (const t of reqs) for (const p of [t.postPendingId, t.voidPendingId]) if (isUuid(p)) pendingIds.add(p);
    const pendings = new Map<string, TransferRow>();
    for (const r of await repo.lockTransfers(trx, [...pendingIds].sort())) pendings.set(r.id, r);
    const accountIds = new Set<string>();
    for (const t of reqs) for (const a of [t.debitAccountId, t.creditAccountId]) if (isUuid(a)) accountIds.add(a);
    for (const p of pendings.values()) accountIds.add(p.debit_account_id).add(p.credit_account_id);
    const accounts = new Map<string, Bal>();
    for (const r of await repo.lockAccounts(trx, [...accountIds].sort()))
      accounts.set(r.id, { row: r, dp: r.debits_posted, cp: r.credits_posted, dq: r.debits_pending, cq: r.credits_pending, dirty: false });

    // 4. Apply in order. A linked chain keeps an undo log and rolls back in memory when a member fails.
    const outcomes: Outcome[] = new Array<Outcome>(n);
    const created: TransferRow[] = [];
    const pendingState = new Map<string, TransferRow['state']>(); // pre-existing pending rows whose state changes
    const seen = new Map<string, number>(); // id → index of its first occurrence in this batch
    let undo: (() => void)[] = [];
    let chainStart = -1;

    /** Answers that come from the id alone: malformed, repeated in this batch, already a transfer, already failed. */
    const idCheck = (i: number): Outcome | undefined => {
      const id = ids[i]!;
      if (!UUID.test(id)) return { status: 'failed', error: 'invalid_request', record: false };
      const first = seen.get(id);
      if (first !== undefined) {
        if (fps[first] !== fps[i]) return { status: 'failed', error: 'exists_with_different_fields', record: false };
        const o = outcomes[first]!;
        return o.status === 'failed' ? { status: 'failed', error: o.error, record: false } : { status: 'exists', transfer: o.transfer };
      }
      const ex = existing.get(id);
      if (ex)
        return ex.fingerprint === fps[i] ? { status: 'exists', transfer: ex } : { status: 'failed', error: 'exists_with_different_fields', record: false };
      const fb = failedBefore.get(id);
      if (fb)
        return fb.fingerprint === fps[i]
          ? { status: 'failed', error: fb.error as TransferError, record: false }
          : { status: 'failed', error: 'exists_with_different_fields', record: false };
      return undefined;
    };

    const one = (i: number): Outcome => {
      const t = reqs[i]!;
      const id = ids[i]!;
      const known = idCheck(i);
      if (known) return known;
      seen.set(id, i);
      undo.push(() => seen.delete(id));
      const bad = staticError(t);
      if (bad) return { status: 'failed', error: bad, record: true };
      const dr = accounts.get(t.debitAccountId);
      const cr = accounts.get(t.creditAccountId);
      const fail = (error: TransferError): Outcome => ({ status: 'failed', error, record: true });
      const touch = (b: Bal) => {
        const saved = { dp: b.dp, cp: b.cp, dq: b.dq, cq: b.cq, dirty: b.dirty };
        undo.push(() => Object.assign(b, saved));
        b.dirty = true;
      };
      const row = (kind: TransferRow['kind'], amount: number, state: TransferRow['state'], extra: Partial<TransferRow>): TransferRow => {
        const r: TransferRow = {
          id,
          seq: 0,
          kind,
          debit_account_id: t.debitAccountId,
          credit_account_id: t.creditAccountId,
          asset: dr!.row.asset,
          amount,
          code: t.code,
          state,
          pending_id: null,
          timeout_at: null,
          meta: t.meta ?? {},
          fingerprint: fps[i]!,
          created_at: now,
          ...extra,
        };
        created.push(r);
        undo.push(() => created.pop());
        return r;
      };
      const pid = t.postPendingId ?? t.voidPendingId;
      if (pid) {
        const p = pendings.get(pid);
        if (!p || p.kind !== 'pending') return fail('pending_not_found');
        if (p.state === 'posted') return fail('pending_already_posted');
        if (p.state === 'voided') return fail('pending_already_voided');
        if (p.state === 'expired' || (p.timeout_at && new Date(p.timeout_at).getTime() <= now.getTime())) return fail('pending_expired');
        if (p.debit_account_id !== t.debitAccountId || p.credit_account_id !== t.creditAccountId) return fail('pending_mismatch');
        if (!dr || !cr) return fail('account_not_found');
        const isPost = t.postPendingId !== undefined && t.postPendingId !== null;
        const amount = t.amount ? t.amount : p.amount;
        if (amount > p.amount || (!isPost && amount !== p.amount)) return fail('invalid_amount');
        touch(dr);
        touch(cr);
        dr.dq -= p.amount;
        cr.cq -= p.amount;
        if (isPost) {
          dr.dp += amount;
          cr.cp += amount;
        }
        const prev = p.state;
        const hadUpdate = pendingState.has(p.id);
        const prevUpdate = pendingState.get(p.id);
        p.state = isPost ? 'posted' : 'voided';
        if (created.includes(p)) undo.push(() => (p.state = prev));
        else {
          pendingState.set(p.id, p.state);
          undo.push(() => {
            p.state = prev;
            if (hadUpdate) pendingState.set(p.id, prevUpdate!);
            else pendingState.delete(p.id);
          });
        }
        return { status: 'created', transfer: row(isPost ? 'post' : 'void', amount, isPost ? 'posted' : 'voided', { pending_id: p.id }) };
      }
      if (!dr || !cr) return fail('account_not_found');
      if (dr.row.asset !== cr.row.asset) return fail('asset_mismatch');
      const amount = t.amount;
      if (dr.dp + dr.dq + amount > Number.MAX_SAFE_INTEGER || cr.cp + cr.cq + amount > Number.MAX_SAFE_INTEGER) return fail('invalid_amount');
      if (dr.row.debits_must_not_exceed_credits && dr.dp + dr.dq + amount > dr.cp) return fail('exceeds_credits');
      if (cr.row.credits_must_not_exceed_debits && cr.cp + cr.cq + amount > cr.dp) return fail('exceeds_debits');
      touch(dr);
      touch(cr);
      if (t.pendingTimeoutSec !== undefined) {
        dr.dq += amount;
        cr.cq += amount;
        const r = row('pending', amount, 'pending', { timeout_at: new Date(now.getTime() + t.pendingTimeoutSec * 1000) });
        pendings.set(id, r);
        undo.push(() => pendings.delete(id));
        return { status: 'created', transfer: r };
      }
      dr.dp += amount;
      cr.cp += amount;
      return { status: 'created', transfer: row('single', amount, 'posted', {}) };
    };

    /** Members s..e of a chain fail because member `brk` failed with `own` (or the chain was left open). */
    const failChain = (s: number, e: number, brk: number, own: TransferError) => {
      for (let k = undo.length - 1; k >= 0; k--) undo[k]!();
      undo = [];
      for (let k = s; k <= e; k++) {
        const o = k <= brk ? outcomes[k]! : idCheck(k);
        const error = k === brk ? own : 'linked_event_failed';
        if (o && o.status === 'failed' && !o.record)
          outcomes[k] = o; // reused, malformed or failed before: keeps its own answer
        else if (o && o.status === 'exists')
          outcomes[k] = { status: 'failed', error, record: false }; // the id belongs to an earlier transfer
        else {
          outcomes[k] = { status: 'failed', error, record: true };
          if (!seen.has(ids[k]!)) seen.set(ids[k]!, k);
        }
      }
    };

    for (let i = 0; i < n; i++) {
      const linked = reqs[i]!.linked === true;
      if (chainStart < 0) {
        undo = [];
        if (linked) chainStart = i;
      }
      outcomes[i] = one(i);
      if (chainStart < 0) continue;
      const o = outcomes[i]!;
      if (o.status === 'failed') {
        const end = chainEnd(reqs, i);
        failChain(chainStart, end, i, o.error);
        i = end;
        chainStart = -1;
      } else if (linked && i === n - 1) {
        failChain(chainStart, i, i, 'linked_chain_open');
        chainStart = -1;
      } else if (!linked) chainStart = -1; // the chain closed: its transfers stand
    }

    // 5. Write everything in one statement.
    const failures: { id: string; error: string; fingerprint: string }[] = [];
    const failedIds = new Set<string>();
    for (let i = 0; i < n; i++) {
      const o = outcomes[i]!;
      if (o.status === 'failed' && o.record && !failedIds.has(ids[i]!)) {
        failedIds.add(ids[i]!);
        failures.push({ id: ids[i]!, error: o.error, fingerprint: fps[i]! });
      }
    }
    const dirty = [...accounts.values()].filter((b) => b.dirty);
    if (created.length || failures.length) {
      const seqs = await repo.write(trx, { created, pendingState, accounts: dirty, failures });
      for (const r of created) r.seq = seqs.get(r.id) ?? 0;
    }
    return outcomes.map((o, i): TransferResult => {
      const id = ids[i] || String(reqs[i]?.id ?? '');
      if (o.status === 'failed') return { id, status: 'failed', error: o.error };
      return { id, status: o.status, transfer: toTransfer(o.transfer) };
    });
  }

  function checkBatch(batch: TransferRequest[]) {
    if (!Array.isArray(batch)) throw badRequest('invalid_batch', 'a batch is an array of transfers');
    if (batch.length > MAX_BATCH) throw badRequest('batch_too_large', `a batch holds at most ${MAX_BATCH} transfers`);
  }

  async function createTransfers(batch: TransferRequest[], opts: { trx?: Transaction<DB> } = {}): Promise<TransferResult[]> {
    checkBatch(batch);
    if (!batch.length) return [];
    counters.batches++;
    counters.transfers += batch.length;
    if (opts.trx) return execute(opts.trx, batch);
    return db.transaction().execute((trx) => execute(trx, batch));
  }

  const counters = { batches: 0, transfers: 0 };
  // Automatic batching: while one batch is in flight, callers queue; the next round trip takes all of them.
  type Waiting = { batch: TransferRequest[]; resolve: (r: TransferResult[]) => void; reject: (e: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = false;
  async function drain() {
    if (inFlight) return;
    inFlight = true;
    try {
      while (queue.length) {
        const group: Waiting[] = [];
        let size = 0;
        while (queue.length && size + queue[0]!.batch.length <= MAX_BATCH) {
          const w = queue.shift()!;
          group.push(w);
          size += w.batch.length;
        }
        try {
          const all = await createTransfers(group.flatMap((w) => w.batch));
          let k = 0;
          for (const w of group) {
            w.resolve(all.slice(k, k + w.batch.length));
            k += w.batch.length;
          }
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      inFlight = false;
    }
  }

  return {
    repo,
    stats: () => ({ ...counters }),
    async ensureAccount(a) {
      if (!ASSETS.includes(a.asset)) throw badRequest('invalid_asset', `asset must be one of ${ASSETS.join(', ')}`);
      if (typeof a.kind !== 'string' || !KIND.test(a.kind))
        throw badRequest('invalid_account_kind', 'an account kind is lower_snake_case, at most 48 characters');
      const ownerId = a.ownerId ?? null;
      if (ownerId !== null && !isUuid(ownerId)) throw badRequest('invalid_owner', 'an account owner is a UUID (or null for platform accounts)');
      const d = !!a.flags?.debitsMustNotExceedCredits;
      const c = !!a.flags?.creditsMustNotExceedDebits;
      if (d && c) throw badRequest('invalid_account_flags', 'an account cannot limit both its debits and its credits');
      return toAccount(await repo.ensureAccount({ id: crypto.randomUUID(), asset: a.asset, kind: a.kind, ownerId, d, c, at: clock.now() }));
    },
    async findAccount(asset, kind, ownerId = null) {
      if (ownerId !== null && !isUuid(ownerId)) return undefined;
      const r = await repo.findAccount(asset, kind, ownerId);
      return r && toAccount(r);
    },
    async account(id) {
      if (!isUuid(id)) return undefined;
      const r = await repo.accountById(id);
      return r && toAccount(r);
    },
    createTransfers,
    async submit(batch) {
      checkBatch(batch);
      if (!batch.length) return [];
      // A batch ending inside a chain would link into the next caller's transfers: run it alone.
      if (batch.at(-1)?.linked) return createTransfers(batch);
      const p = new Promise<TransferResult[]>((resolve, reject) => queue.push({ batch, resolve, reject }));
      void drain();
      return p;
    },
    async transfer(id) {
      if (!isUuid(id)) return undefined;
      const r = await repo.transferById(id);
      return r && toTransfer(r);
    },
    async transfers(q) {
      const page = await repo.transfers(q);
      return { items: page.items.map(toTransfer), nextCursor: page.nextCursor };
    },
    async expirePending(at) {
      const when = at ?? clock.now();
      let total = 0;
      for (;;) {
        const n = await db.transaction().execute(async (trx) => {
          const rows = await repo.lockExpiredPending(trx, when, 500);
          if (!rows.length) return 0;
          const accIds = [...new Set(rows.flatMap((r) => [r.debit_account_id, r.credit_account_id]))].sort();
          const accs = new Map((await repo.lockAccounts(trx, accIds)).map((r) => [r.id, r]));
          const bal = new Map<string, Bal>();
          for (const [id, r] of accs)
            bal.set(id, { row: r, dp: r.debits_posted, cp: r.credits_posted, dq: r.debits_pending, cq: r.credits_pending, dirty: true });
          const state = new Map<string, TransferRow['state']>();
          for (const r of rows) {
            bal.get(r.debit_account_id)!.dq -= r.amount;
            bal.get(r.credit_account_id)!.cq -= r.amount;
            state.set(r.id, 'expired');
          }
          await repo.write(trx, { created: [], pendingState: state, accounts: [...bal.values()], failures: [] });
          return rows.length;
        });
        total += n;
        if (n < 500) return total;
      }
    },
    async reconcile() {
      return reconcileLedger(db, clock);
    },
  };
}

/** The index of the last member of the chain that includes `i` (the first transfer after it with linked unset). */
function chainEnd(reqs: TransferRequest[], i: number): number {
  let k = i;
  while (k < reqs.length - 1 && reqs[k]!.linked === true) k++;
  return k;
}
