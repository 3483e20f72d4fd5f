/**
 * A seeded, randomized simulation of the ledger under faults (TigerBeetle's VOPR in miniature).
 *
 * The ledger runs in a child process (sim-child.ts) on a PGlite data directory or a PostgreSQL database.
 * The driver plays a coin economy against it — purchases, linked gifts, two-phase cash-outs that are
 * posted, voided or left to time out, refunds and chargebacks that claw back unspent coins and book the
 * spent ones to a recovery account, deliberate overdrafts and malformed requests — in rounds of
 * concurrent batches. It retries answered batches with the same ids, and kills the child with SIGKILL
 * mid-round at random, restarts it on the same data and re-sends whatever had no answer.
 *
 * It keeps its own model of every account, built only from answers, and after every round checks:
 * the ledger's reconcile() passes (Σ debits = Σ credits per asset, posted and pending; every cached
 * balance equals its transfers; no flagged account past its limit), every account equals the model,
 * every retry got its first outcome, every operation succeeded or failed as predicted, the expiry job
 * voided exactly the timed-out pending transfers, and no (operation, leg) was written twice.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import type { ChildRequest, SimTarget } from './sim-child.ts';
import type { Account, Transfer, TransferError, TransferRequest, TransferResult } from '../ledger.service.ts';
import type { ReconcileReport } from '../ledger.reconcile.ts';

export type { SimTarget } from './sim-child.ts';

export type SimOptions = {
  target: SimTarget;
  seed: number;
  /** Business operations to submit (each is 1–3 transfers). */
  operations: number;
  kills: number;
  users?: number;
  batches?: number;
  opsPerBatch?: number;
  log?: (line: string) => void;
};

export type SimReport = {
  seed: number;
  operations: number;
  transfersSubmitted: number;
  transfersCreated: number;
  expectedFailures: number;
  retriedBatches: number;
  retriedTransfers: number;
  resentAfterKill: number;
  kills: number;
  rounds: number;
  checks: number;
  reconciles: number;
  expired: number;
  seconds: number;
  opsPerSecond: number;
  violations: string[];
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type AnyReq = DistributiveOmit<ChildRequest, 'rid'>;
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class KilledError extends Error {
  override name = 'KilledError';
}

/** The process under test (the ledger's sim-child.ts, or another module's): JSON lines in and out, many requests in flight. */
export class LedgerChild<Req extends { op: string } = AnyReq> {
  private proc!: ChildProcess;
  private waiting = new Map<number, Pending>();
  private rid = 0;
  private exited!: Promise<void>;
  private dead = false;
  private readonly target: SimTarget;
  private readonly file: string;
  private constructor(target: SimTarget, file: string) {
    this.target = target;
    this.file = file;
  }

  static async start<R extends { op: string } = AnyReq>(target: SimTarget, file = path.join(import.meta.dirname, 'sim-child.ts')): Promise<LedgerChild<R>> {
    const c = new LedgerChild<R>(target, file);
    await c.spawn();
    return c;
  }

  private async spawn() {
    this.proc = spawn(process.execPath, [this.file, JSON.stringify(this.target)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.dead = false;
    // A write racing a kill fails with EPIPE; the request is answered by the exit handler (KilledError) instead.
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((r) =>
      this.proc.once('exit', () => {
        this.dead = true;
        r();
      }),
    );
    const rl = readline.createInterface({ input: this.proc.stdout! });
    let ready!: () => void;
    let failed!: (e: Error) => void;
    const isReady = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    rl.on('line', (line) => {
      const m = JSON.parse(line) as { ready?: boolean; rid?: number; result?: unknown; error?: string };
      if (m.ready) return ready();
      const w = this.waiting.get(m.rid!);
      if (!w) return;
      this.waiting.delete(m.rid!);
      if (m.error !== undefined) w.reject(new Error(`ledger process: ${m.error}`));
      else w.resolve(m.result);
    });
    void this.exited.then(() => {
      failed(new Error('the ledger process exited before it was ready'));
      for (const w of this.waiting.values()) w.reject(new KilledError('killed'));
      this.waiting.clear();
    });
    await isReady;
  }

  call<T>(req: Req): Promise<T> {
    const rid = ++this.rid;
    if (this.dead) return Promise.reject(new KilledError('killed'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(rid, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.stdin!.write(`${JSON.stringify({ ...req, rid })}\n`);
    });
  }

  async kill9() {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async restart() {
    await this.spawn();
  }

  async stop() {
    this.proc.stdin!.end();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** mulberry32: small, fast, seedable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    uuid: () => {
      const b = Buffer.alloc(16);
      for (let i = 0; i < 16; i++) b[i] = Math.floor(next() * 256);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}

type Bal = { dp: number; cp: number; dq: number; cq: number };
type User = {
  i: number;
  id: string;
  wallet: string;
  diamonds: string;
  recovery: string;
  creator: boolean;
  purchases: { op: string; coins: number; usd: number; state: 'inflight' | 'done' | 'refunding' | 'refunded' }[];
};
type Op = {
  id: string;
  kind: string;
  transfers: TransferRequest[];
  /** 'ok', or the error the breaking transfer must fail with (the others of its chain: linked_event_failed). */
  expect: 'ok' | TransferError;
  done?: (ok: boolean) => void;
};
type Sent = { req: Extract<AnyReq, { op: 'createTransfers' }>; ops: Op[] };

const COINS = [70, 350, 1400, 7000] as const;

export async function runSimulation(o: SimOptions): Promise<SimReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const r = rng(o.seed);
  const nUsers = o.users ?? 240;
  const nBatches = o.batches ?? 4;
  const perBatch = o.opsPerBatch ?? 50;
  const violations: string[] = [];
  const violation = (s: string) => {
    if (violations.length < 50) violations.push(s);
    log(`VIOLATION: ${s}`);
  };
  const rep: SimReport = {
    seed: o.seed,
    operations: 0,
    transfersSubmitted: 0,
    transfersCreated: 0,
    expectedFailures: 0,
    retriedBatches: 0,
    retriedTransfers: 0,
    resentAfterKill: 0,
    kills: 0,
    rounds: 0,
    checks: 0,
    reconciles: 0,
    expired: 0,
    seconds: 0,
    opsPerSecond: 0,
    violations,
  };

  let simNow = Date.parse('2030-01-01T00:00:00Z');
  const nowIso = () => new Date(simNow).toISOString();
  const child = await LedgerChild.start(o.target);
  try {
    const ensure = async (asset: Account['asset'], kind: string, ownerId: string | null, limited: boolean) =>
      (
        await child.call<Account>({
          op: 'ensureAccount',
          now: nowIso(),
          a: { asset, kind, ownerId, flags: limited ? { debitsMustNotExceedCredits: true } : {} },
        })
      ).id;
    const P = {
      issuance: await ensure('COIN', 'coin_issuance', null, false),
      revenue: await ensure('COIN', 'platform_revenue', null, false),
      dIssuance: await ensure('DIAMOND', 'diamond_issuance', null, false),
      payouts: await ensure('DIAMOND', 'payouts_payable', null, false),
      clearing: await ensure('USD', 'payment_clearing', null, false),
      sales: await ensure('USD', 'coin_sales', null, false),
    };
    const users: User[] = await Promise.all(
      Array.from({ length: nUsers }, () => r.uuid()).map(async (id, i) => ({
        i,
        id,
        wallet: await ensure('COIN', 'wallet', id, true),
        diamonds: await ensure('DIAMOND', 'diamonds', id, true),
        recovery: await ensure('COIN', 'recovery', id, false),
        creator: i % 5 === 0,
        purchases: [],
      })),
    );
    const creators = users.filter((u) => u.creator);
    log(`setup: ${nUsers} users, ${nUsers * 3 + 6} accounts in ${Math.round(performance.now() - t0)} ms`);

    // The model: balances from answers only.
    const bal = new Map<string, Bal>();
    const b = (id: string) => {
      let x = bal.get(id);
      if (!x) bal.set(id, (x = { dp: 0, cp: 0, dq: 0, cq: 0 }));
      return x;
    };
    const applied = new Map<string, Transfer>();
    const pend = new Map<string, { t: Transfer; state: Transfer['state']; owner: User; busy: boolean; timeoutAt: number }>();
    const first = new Map<string, string>();
    const outcomeKey = (x: TransferResult) =>
      x.status === 'failed' ? `failed:${x.error}` : `ok:${x.transfer!.kind}:${x.transfer!.amount}:${x.transfer!.debitAccountId}:${x.transfer!.creditAccountId}`;
    const apply = (t: Transfer) => {
      if (applied.has(t.id)) return;
      applied.set(t.id, t);
      rep.transfersCreated++;
      const d = b(t.debitAccountId);
      const c = b(t.creditAccountId);
      if (t.kind === 'single' || t.kind === 'post') {
        d.dp += t.amount;
        c.cp += t.amount;
      }
      if (t.kind === 'pending') {
        d.dq += t.amount;
        c.cq += t.amount;
        const owner = users.find((u) => u.diamonds === t.debitAccountId)!;
        pend.set(t.id, { t, state: 'pending', owner, busy: false, timeoutAt: t.timeoutAt ? new Date(t.timeoutAt).getTime() : 0 });
      }
      if (t.kind === 'post' || t.kind === 'void') {
        const p = pend.get(t.pendingId!);
        if (!p || p.state !== 'pending') return violation(`${t.kind} ${t.id} of a pending the model does not hold open (${p?.state})`);
        d.dq -= p.t.amount;
        c.cq -= p.t.amount;
        p.state = t.kind === 'post' ? 'posted' : 'voided';
      }
    };

    /** Judge one batch's answers: first outcomes, predictions, model. */
    const judge = (s: Sent, results: TransferResult[], retry: boolean) => {
      if (results.length !== s.req.batch.length) return violation(`batch of ${s.req.batch.length} answered with ${results.length} results`);
      results.forEach((x, k) => {
        const id = s.req.batch[k]!.id;
        if (x.id !== id) violation(`result ${k} is for ${x.id}, not ${id}`);
        const key = outcomeKey(x);
        const was = first.get(id);
        if (was === undefined) first.set(id, key);
        else if (was !== key) violation(`retry of ${id} answered ${key}, first answer was ${was}`);
        if (x.status !== 'failed') apply(x.transfer!);
      });
      if (retry) return;
      let k = 0;
      for (const op of s.ops) {
        const rs = results.slice(k, k + op.transfers.length);
        k += op.transfers.length;
        const ok = rs.every((x) => x.status !== 'failed');
        if (op.expect === 'ok') {
          if (!ok) violation(`${op.kind} ${op.id} should have succeeded: ${rs.map((x) => x.error ?? x.status).join(', ')}`);
        } else {
          rep.expectedFailures++;
          const errs = rs.map((x) => x.error);
          if (!errs.includes(op.expect) || rs.some((x) => x.status !== 'failed') || errs.some((e) => e !== op.expect && e !== 'linked_event_failed'))
            violation(`${op.kind} ${op.id} should have failed with ${op.expect}: ${rs.map((x) => x.error ?? x.status).join(', ')}`);
        }
        op.done?.(ok);
      }
    };

    // The generator: a projection of what each actor can spend, from the model plus this round's own operations.
    const meta = (op: string, leg: number) => ({ op, leg });
    const walletAvail = (u: User) => {
      const x = b(u.wallet);
      return x.cp - x.dp - x.dq;
    };
    const diamondsAvail = (u: User) => {
      const x = b(u.diamonds);
      return x.cp - x.dp - x.dq;
    };
    const makeOp = (u: User, proj: { wallet: number; diamonds: number }): Op => {
      const opId = r.uuid();
      const roll = r.next();
      const T = (leg: number, t: Omit<TransferRequest, 'id' | 'meta'>): TransferRequest => ({ id: r.uuid(), ...t, meta: meta(opId, leg) });
      if (roll < 0.3 || proj.wallet < 70) {
        const coins = r.pick(COINS);
        const usd = Math.round((coins * 99) / 70);
        const p = { op: opId, coins, usd, state: 'inflight' as const };
        u.purchases.push(p);
        proj.wallet += coins;
        return {
          id: opId,
          kind: 'buy',
          expect: 'ok',
          transfers: [
            T(0, { debitAccountId: P.clearing, creditAccountId: P.sales, amount: usd, code: 'coin_purchase', linked: true }),
            T(1, { debitAccountId: P.issuance, creditAccountId: u.wallet, amount: coins, code: 'coin_purchase' }),
          ],
          done: (ok) => {
            const q = u.purchases.find((x) => x.op === opId)!;
            q.state = ok ? 'done' : 'refunded';
          },
        };
      }
      if (roll < 0.66) {
        const overdraft = r.next() < 0.05;
        const coins = overdraft ? proj.wallet + r.int(1, 10_000) : r.int(1, Math.min(proj.wallet, 2000));
        if (!overdraft) proj.wallet -= coins;
        const creator = r.pick(creators);
        return {
          id: opId,
          kind: overdraft ? 'gift-overdraft' : 'gift',
          expect: overdraft ? 'exceeds_credits' : 'ok',
          transfers: [
            T(0, { debitAccountId: u.wallet, creditAccountId: P.revenue, amount: coins, code: 'gift', linked: true }),
            T(1, { debitAccountId: P.dIssuance, creditAccountId: creator.diamonds, amount: Math.ceil(coins / 2), code: 'gift_earning' }),
          ],
        };
      }
      if (roll < 0.78 && u.creator && proj.diamonds > 0) {
        const over = r.next() < 0.05;
        const amount = over ? proj.diamonds + 1_000_000 : r.int(1, proj.diamonds);
        if (!over) proj.diamonds -= amount;
        return {
          id: opId,
          kind: over ? 'cashout-overdraft' : 'cashout',
          expect: over ? 'exceeds_credits' : 'ok',
          transfers: [T(0, { debitAccountId: u.diamonds, creditAccountId: P.payouts, amount, code: 'payout', pendingTimeoutSec: r.int(20, 400) })],
        };
      }
      if (roll < 0.9) {
        const open = [...pend.values()].find((p) => p.owner === u && p.state === 'pending' && !p.busy);
        if (open) {
          open.busy = true;
          const expired = open.timeoutAt <= simNow;
          const post = r.next() < 0.75;
          const amount = post && r.next() < 0.3 ? r.int(1, open.t.amount) : 0;
          if (expired)
            proj.diamonds += 0; // released by the expiry job, not by us
          else if (!post) proj.diamonds += open.t.amount;
          else proj.diamonds += amount ? open.t.amount - amount : 0;
          return {
            id: opId,
            kind: post ? 'post' : 'void',
            expect: expired ? 'pending_expired' : 'ok',
            transfers: [
              T(0, {
                debitAccountId: u.diamonds,
                creditAccountId: P.payouts,
                amount,
                code: post ? 'payout' : 'payout_void',
                ...(post ? { postPendingId: open.t.id } : { voidPendingId: open.t.id }),
              }),
            ],
            done: () => (open.busy = false),
          };
        }
      }
      if (roll < 0.96) {
        const p = u.purchases.find((x) => x.state === 'done');
        if (p) {
          p.state = 'refunding';
          const claw = Math.min(proj.wallet, p.coins);
          const rest = p.coins - claw;
          proj.wallet -= claw;
          const code = r.next() < 0.5 ? 'refund' : 'chargeback';
          const legs: TransferRequest[] = [];
          if (claw) legs.push(T(0, { debitAccountId: u.wallet, creditAccountId: P.issuance, amount: claw, code, linked: true }));
          if (rest) legs.push(T(1, { debitAccountId: u.recovery, creditAccountId: P.issuance, amount: rest, code: 'recovery', linked: true }));
          legs.push(T(2, { debitAccountId: P.sales, creditAccountId: P.clearing, amount: p.usd, code }));
          return { id: opId, kind: code, expect: 'ok', transfers: legs, done: (ok) => (p.state = ok ? 'refunded' : 'done') };
        }
      }
      // Malformed or impossible requests: nothing may move.
      const which = r.int(0, 3);
      const bad: [Omit<TransferRequest, 'id' | 'meta'>, TransferError][] = [
        [{ debitAccountId: u.wallet, creditAccountId: u.wallet, amount: 1, code: 'gift' }, 'same_account'],
        [{ debitAccountId: u.wallet, creditAccountId: P.sales, amount: 1, code: 'gift' }, 'asset_mismatch'],
        [{ debitAccountId: u.wallet, creditAccountId: P.revenue, amount: 0.5, code: 'gift' }, 'invalid_amount'],
        [{ debitAccountId: u.diamonds, creditAccountId: P.payouts, amount: 0, code: 'payout', postPendingId: r.uuid() }, 'pending_not_found'],
      ];
      const [t, err] = bad[which]!;
      return { id: opId, kind: `bad:${err}`, expect: err, transfers: [T(0, t)] };
    };

    const history: Sent[] = [];
    const killRounds = new Set<number>();
    const roundsPlanned = Math.ceil(o.operations / (nBatches * perBatch));
    for (let k = 0; k < o.kills; k++) killRounds.add(Math.min(roundsPlanned - 1, Math.floor(((k + 0.5) * roundsPlanned) / o.kills) + r.int(-1, 1)));
    let expiredTotal = 0;

    type CheckAnswer = {
      accounts: {
        id: string;
        asset: string;
        debits_must_not_exceed_credits: boolean;
        debits_posted: number;
        credits_posted: number;
        debits_pending: number;
        credits_pending: number;
      }[];
      report: ReconcileReport | null;
      dups: unknown[];
    };
    /** After every round: the invariants over all balances, against the model. With `full`, also the ledger's own reconcile() and the duplicate scan. */
    const check = async (full: boolean) => {
      const c = await child.call<CheckAnswer>({ op: 'check', now: nowIso(), full });
      rep.checks++;
      const sums = new Map<string, number[]>();
      for (const a of c.accounts) {
        const s = sums.get(a.asset) ?? [0, 0, 0, 0];
        s[0]! += a.debits_posted;
        s[1]! += a.credits_posted;
        s[2]! += a.debits_pending;
        s[3]! += a.credits_pending;
        sums.set(a.asset, s);
        if (a.debits_must_not_exceed_credits && a.debits_posted + a.debits_pending > a.credits_posted) violation(`flagged account ${a.id} below zero`);
        const m = b(a.id);
        if (m.dp !== a.debits_posted || m.cp !== a.credits_posted || m.dq !== a.debits_pending || m.cq !== a.credits_pending)
          violation(
            `account ${a.id}: ledger ${a.debits_posted}/${a.credits_posted}/${a.debits_pending}/${a.credits_pending} ≠ model ${m.dp}/${m.cp}/${m.dq}/${m.cq}`,
          );
      }
      for (const [asset, [dp, cp, dq, cq]] of sums) if (dp !== cp || dq !== cq) violation(`asset ${asset}: Σ debits ${dp}+${dq} ≠ Σ credits ${cp}+${cq}`);
      if (c.report) {
        rep.reconciles++;
        if (!c.report.ok) violation(`reconcile failed: ${JSON.stringify(c.report.violations.slice(0, 3))}`);
      }
      if (c.dups.length) violation(`operations written twice: ${JSON.stringify(c.dups)}`);
    };

    let round = 0;
    while (rep.operations < o.operations) {
      round++;
      simNow += r.int(5, 90) * 1000;
      // Build this round: each user acts in at most one batch, so projections are exact for what it spends.
      const offset = r.int(0, nBatches - 1);
      const sends: Sent[] = [];
      for (let k = 0; k < nBatches; k++) {
        const mine = users.filter((u) => (u.i + offset) % nBatches === k);
        const proj = new Map(mine.map((u) => [u.id, { wallet: walletAvail(u), diamonds: diamondsAvail(u) }]));
        const ops: Op[] = [];
        for (let j = 0; j < perBatch && rep.operations < o.operations; j++) {
          const u = r.pick(mine);
          ops.push(makeOp(u, proj.get(u.id)!));
          rep.operations++;
        }
        if (!ops.length) break;
        const batch = ops.flatMap((x) => x.transfers);
        rep.transfersSubmitted += batch.length;
        sends.push({ req: { op: 'createTransfers', now: nowIso(), batch }, ops });
      }
      // Retries of answered batches, concurrently with the new ones: they must get their first outcome and move nothing.
      const retries: Sent[] = [];
      if (history.length && r.next() < 0.5) {
        const h = r.pick(history);
        retries.push({ req: { ...h.req, now: nowIso() }, ops: h.ops });
        rep.retriedBatches++;
        rep.retriedTransfers += h.req.batch.length;
      }
      const answers = new Map<Sent, TransferResult[]>();
      const inFlight = [...sends, ...retries].map((s) =>
        child.call<TransferResult[]>(s.req).then(
          (res) => void answers.set(s, res),
          (err: unknown) => {
            if (!(err instanceof KilledError)) violation(`batch failed: ${(err as Error).message}`);
          },
        ),
      );
      if (killRounds.has(round)) {
        await new Promise((res) => setTimeout(res, r.int(0, 40)));
        await child.kill9();
        rep.kills++;
        await Promise.all(inFlight);
        const lost = [...sends, ...retries].filter((s) => !answers.has(s));
        log(`round ${round}: SIGKILL with ${lost.length}/${sends.length + retries.length} batches unanswered`);
        const tr = performance.now();
        await child.restart();
        log(`restart took ${Math.round(performance.now() - tr)} ms`);
        // Re-send what had no answer (same ids, same time): each transfer lands once, whether or not it committed before the kill.
        rep.resentAfterKill += lost.reduce((s, x) => s + x.req.batch.length, 0);
        await Promise.all(lost.map(async (s) => answers.set(s, await child.call<TransferResult[]>(s.req))));
      } else await Promise.all(inFlight);
      for (const s of sends) {
        const a = answers.get(s);
        if (a) judge(s, a, false);
        history.push(s);
      }
      for (const s of retries) {
        const a = answers.get(s);
        if (a) judge(s, a, true);
      }
      if (history.length > 200) history.splice(0, history.length - 200);

      // The expiry job: it must void exactly the pending transfers whose timeout passed.
      if (round % 3 === 0) {
        const due = [...pend.values()].filter((p) => p.state === 'pending' && p.timeoutAt <= simNow);
        const n = await child.call<number>({ op: 'expirePending', now: nowIso() });
        if (n !== due.length) violation(`expirePending voided ${n}, the model expected ${due.length}`);
        for (const p of due) {
          p.state = 'expired';
          b(p.t.debitAccountId).dq -= p.t.amount;
          b(p.t.creditAccountId).cq -= p.t.amount;
        }
        expiredTotal += n;
      }
      await check(killRounds.has(round) || round % 10 === 0);
      rep.rounds = round;
      if (round % 20 === 0)
        log(`round ${round}: ${rep.operations} operations, ${rep.transfersCreated} transfers, ${rep.kills} kills, ${violations.length} violations`);
    }
    await check(true);
    rep.expired = expiredTotal;
  } finally {
    await child.stop();
  }
  rep.seconds = Math.round((performance.now() - t0) / 10) / 100;
  rep.opsPerSecond = Math.round(rep.operations / rep.seconds);
  return rep;
}

export const randomSeed = () => crypto.randomInt(1, 2 ** 31);
