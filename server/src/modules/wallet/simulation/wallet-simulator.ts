/**
 * A seeded, randomized simulation of the wallet under faults — the ledger's simulation (ledger/simulation) one level up.
 *
 * The real wallet service runs in a child process (wallet-sim-child.ts) over the real ledger and the sandbox payment and
 * payout providers. The driver plays users against it: fans buy coins (cards that succeed, are declined, or ask for 3-D
 * Secure, which the buyer then passes or fails), send gifts and bursts of gifts, set spending limits; creators cash out;
 * support refunds, an admin raises chargebacks, approves or rejects payouts and suspends creators; payouts nobody decides
 * expire. The driver is the provider's webhook sender: it delivers the outbox late (held back for rounds), out of order,
 * duplicated, replays old events, and sends forged, stale and unsigned ones. Requests are retried with the same ids. The
 * child is SIGKILLed at random points and restarted on the same data; what had no answer is sent again.
 *
 * The driver predicts every answer from its own model (built only from answers, mirroring the documented rules) and after
 * every round checks: Σ debits = Σ credits per asset, no flagged account past its limit, every user's coins, recovery
 * balance, diamonds and reserved diamonds equal the model, platform revenue and payouts equal the model, every purchase's
 * state (ours and the provider's) and coin credit count (exactly one per credited purchase), every payout's state and the
 * payout provider's record, gift and webhook-event counts, and the ledger's own reconcile() (cached balances = transfers).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { KilledError, LedgerChild, rng, type SimTarget } from '../../ledger/simulation/simulator.ts';
import type { CallAnswer, CrashPoint, SimUser, SimVideo, WalletCall, WalletChildRequest } from './wallet-sim-child.ts';
import { PAYMENT_RECOVERY_GRACE_SEC, PAYMENT_START_DEADLINE_SEC } from '../../payments/payment-intent.ts';
import type { ReconcileReport } from '../../ledger/ledger.reconcile.ts';
import { COIN_PACKAGES, GIFTS, LIMITS } from '../catalogue.ts';
import { SANDBOX_CARDS } from '../../payments/sandbox-provider.ts';

export type WalletSimOptions = {
  target: SimTarget;
  seed: number;
  /** Wallet calls and webhook deliveries to make (the run stops at the end of the round that reaches it). */
  operations: number;
  kills: number;
  /** SIGKILLs landed exactly inside a crash window (armed in the child at a provider call); cycled over the three windows. */
  windowKills?: number;
  fans?: number;
  creators?: number;
  log?: (line: string) => void;
};

export type WalletSimReport = {
  seed: number;
  operations: number;
  rounds: number;
  kills: number;
  resentAfterKill: number;
  /** Kills inside a crash window, per window; how many of those requests were sent again, and how many were left to the recovery job. */
  windowKills: Record<CrashPoint, number>;
  windowResent: number;
  recoveredPayouts: number;
  recoveredPurchases: number;
  interruptedPurchases: number;
  retries: number;
  purchases: number;
  credited: number;
  declined: number;
  threeDs: number;
  gifts: number;
  refunds: number;
  chargebacks: number;
  reversedBeforeCredit: number;
  payoutsPaid: number;
  payoutsRejected: number;
  payoutsExpired: number;
  webhooks: number;
  duplicateWebhooks: number;
  badSignatures: number;
  refusals: Record<string, number>;
  suspensions: number;
  checks: number;
  reconciles: number;
  simulatedDays: number;
  /** Time spent in the after-round checks (reconcile included), and restarting after kills. */
  checkSeconds: number;
  restartSeconds: number;
  seconds: number;
  opsPerSecond: number;
  violations: string[];
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type AnyReq = DistributiveOmit<WalletChildRequest, 'rid'>;
type WalletStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'refunded' | 'charged_back';
type ProviderStatus = 'succeeded' | 'requires_action' | 'failed' | 'refunded' | 'disputed';

type MUser = {
  id: string;
  username: string;
  kind: 'fan' | 'creator' | 'admin' | 'support';
  minor: boolean;
  coins: number;
  recovery: number;
  diamonds: number;
  reserved: number;
  limit: number | null;
  suspended: boolean;
  purchases: MPurchase[];
  gifts: { at: number; coins: number }[];
  payouts: MPayout[];
  videos: string[];
};
type MPurchase = {
  id: string;
  user: MUser;
  coins: number;
  price: number;
  packageId: string;
  card: 'success' | 'decline' | 'threeDs';
  at: number;
  wallet: WalletStatus;
  provider: ProviderStatus;
  credited: boolean;
  reversedBeforeCredit: boolean;
  clawed: number;
  recoveryCoins: number;
  /** Left unstarted by a kill (our row committed, the provider's answer never recorded): the recovery job starts it at this time. */
  recoverAt?: number;
  /** The provider has no payment yet (the kill landed before it was called). */
  providerMissing?: boolean;
  /** What the provider's synchronous answer sets once it is recorded (pending, failed, requires_action). */
  syncStatus?: WalletStatus;
  /** Still unstarted at the deadline: failed by the recovery job (a payment the provider did make still credits by webhook). */
  interrupted?: boolean;
};
type MPayout = {
  id: string;
  user: MUser;
  diamonds: number;
  at: number;
  expiresAt: number;
  status: 'pending' | 'approving' | 'paid' | 'rejected' | 'expired';
  ledger: 'pending' | 'posted' | 'voided' | 'expired';
  /** The provider has paid it (known once an approval reached the provider). */
  providerPaid?: boolean;
  /** Left 'approving' by a kill: the recovery job finishes it once the approval's lease (the grace period) has run out. */
  recoverAt?: number;
};
type MEvent = { id: string; body: string; type: ProviderStatus | 'requires_action'; purchaseId: string; first?: string };

/** What a call must answer: success (with an optional check of the body), or a refusal with this code. */
type Expect = { ok: true; verify?: (v: unknown) => string | null; apply?: (v: unknown) => void } | { err: string; apply?: () => void };
/** After a kill, a request that may have committed before it died can answer "already done" instead. */
type Step = { call: WalletCall; predict: () => Expect; doneCodes?: string[] };

type CheckAnswer = {
  accounts: {
    id: string;
    asset: string;
    kind: string;
    owner_id: string | null;
    debits_must_not_exceed_credits: boolean;
    credits_must_not_exceed_debits: boolean;
    debits_posted: number;
    credits_posted: number;
    debits_pending: number;
    credits_pending: number;
  }[];
  purchases: { id: string; status: string; credited_at: string | null; clawed_back_coins: number; recovery_coins: number; provider_status: string | null }[];
  payouts: { id: string; status: string; paid_cents: number | null; ledger_state: string | null }[];
  payoutUsd: { payout_id: string; n: number }[];
  unstarted: string[];
  credits: { purchase_id: string; n: number }[];
  gifts: number;
  events: number;
  report: ReconcileReport | null;
};

const DAY = 86_400_000;
const startOfUtcDay = (t: number) => Math.floor(t / DAY) * DAY;

export async function runWalletSimulation(o: WalletSimOptions): Promise<WalletSimReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const r = rng(o.seed);
  const violations: string[] = [];
  const violation = (s: string) => {
    if (violations.length < 50) violations.push(s);
    log(`VIOLATION: ${s}`);
  };
  const rep: WalletSimReport = {
    seed: o.seed,
    operations: 0,
    rounds: 0,
    kills: 0,
    resentAfterKill: 0,
    windowKills: { payout_after_pay: 0, purchase_after_create: 0, purchase_before_create: 0 },
    windowResent: 0,
    recoveredPayouts: 0,
    recoveredPurchases: 0,
    interruptedPurchases: 0,
    retries: 0,
    purchases: 0,
    credited: 0,
    declined: 0,
    threeDs: 0,
    gifts: 0,
    refunds: 0,
    chargebacks: 0,
    reversedBeforeCredit: 0,
    payoutsPaid: 0,
    payoutsRejected: 0,
    payoutsExpired: 0,
    webhooks: 0,
    duplicateWebhooks: 0,
    badSignatures: 0,
    refusals: {},
    suspensions: 0,
    checks: 0,
    reconciles: 0,
    simulatedDays: 0,
    checkSeconds: 0,
    restartSeconds: 0,
    seconds: 0,
    opsPerSecond: 0,
    violations,
  };

  const start = Date.parse('2031-03-02T09:00:00Z');
  let now = start;
  const nowIso = () => new Date(now).toISOString();

  // ---- the child, with kills -----------------------------------------------------------------------------------------
  const child = await LedgerChild.start<AnyReq>(o.target, path.join(import.meta.dirname, 'wallet-sim-child.ts'));
  let gate: Promise<void> = Promise.resolve();
  /** Sends a request; if the child is killed before it answers, waits for the restart and sends it again (same ids). */
  const send = async <T>(req: AnyReq): Promise<{ answer: T; resent: boolean }> => {
    let resent = false;
    for (;;) {
      await gate;
      try {
        const answer = await child.call<T>({ ...req, now: nowIso() });
        return { answer, resent };
      } catch (err) {
        if (!(err instanceof KilledError)) throw err;
        if (!resent) rep.resentAfterKill++;
        resent = true;
      }
    }
  };
  const kill = async () => {
    let open!: () => void;
    gate = new Promise((res) => (open = res));
    await child.kill9();
    rep.kills++;
    const tr = performance.now();
    await child.restart();
    rep.restartSeconds += (performance.now() - tr) / 1000;
    log(`round ${rep.rounds + 1}: SIGKILL; restart took ${Math.round(performance.now() - tr)} ms`);
    open();
  };

  try {
    // ---- cast ------------------------------------------------------------------------------------------------------------
    const mk = (kind: MUser['kind'], i: number, minor = false): MUser => ({
      id: r.uuid(),
      username: `${kind}${i}${minor ? 'm' : ''}`,
      kind,
      minor,
      coins: 0,
      recovery: 0,
      diamonds: 0,
      reserved: 0,
      limit: null,
      suspended: false,
      purchases: [],
      gifts: [],
      payouts: [],
      videos: [],
    });
    const fans = Array.from({ length: o.fans ?? 40 }, (_, i) => mk('fan', i));
    const creators = Array.from({ length: o.creators ?? 10 }, (_, i) => mk('creator', i));
    const minorFan = mk('fan', 999, true);
    const minorCreator = mk('creator', 999, true);
    const admin = mk('admin', 0);
    const support = mk('support', 0);
    const everyone = [...fans, ...creators, minorFan, minorCreator, admin, support];
    const videos: (SimVideo & { owner: MUser })[] = [];
    for (const c of [...creators, minorCreator])
      for (let k = 0; k < 2; k++) {
        const v = { id: r.uuid(), userId: c.id, visibility: 'public' as const, status: 'ready' as const, owner: c };
        videos.push(v);
        c.videos.push(v.id);
      }
    const odd = {
      private: { id: r.uuid(), userId: creators[0]!.id, visibility: 'private' as const, status: 'ready' as const, owner: creators[0]! },
      followers: { id: r.uuid(), userId: creators[1]!.id, visibility: 'followers' as const, status: 'ready' as const, owner: creators[1]! },
      failed: { id: r.uuid(), userId: creators[2]!.id, visibility: 'public' as const, status: 'failed' as const, owner: creators[2]! },
    };
    videos.push(odd.private, odd.followers, odd.failed);
    const birth = (u: MUser) => (u.minor ? '2016-05-05' : '1990-01-01');
    const roles = (u: MUser) => (u.kind === 'admin' ? ['user', 'admin'] : u.kind === 'support' ? ['user', 'support'] : ['user']);
    await send({
      op: 'setup',
      now: nowIso(),
      users: everyone.map((u): SimUser => ({ id: u.id, username: u.username, birthdate: birth(u), roles: roles(u) })),
      videos: videos.map(({ owner: _o, ...v }) => v),
    });
    const videoOwner = new Map(videos.map((v) => [v.id, v]));
    const byId = new Map(everyone.map((u) => [u.id, u]));

    const purchases = new Map<string, MPurchase>();
    const payouts = new Map<string, MPayout>();
    const ignored = new Set<string>();
    const events = new Map<string, MEvent>();
    let undelivered: MEvent[] = [];
    const delivered: MEvent[] = [];
    const answeredBuys: { p: MPurchase; card: string }[] = [];
    const answeredGifts: { id: string; sender: MUser; videoId: string; giftId: string; coins: number; diamonds: number }[] = [];
    let giftsOk = 0;
    let platformSales = 0; // USD cents kept from coin sales (credited minus reversed)
    let paidCents = 0;
    const refused = (code: string) => (rep.refusals[code] = (rep.refusals[code] ?? 0) + 1);

    // ---- predictions (the documented rules, in the service's order) ------------------------------------------------------
    const predictBuy = (u: MUser, id: string, pkgId: string, card: MPurchase['card']): Expect => {
      if (u.minor) return { err: 'minor_cannot_buy' };
      const pkg = COIN_PACKAGES.find((p) => p.id === pkgId);
      if (!pkg) return { err: 'unknown_package' };
      const tenMin = u.purchases.filter((p) => p.at >= now - 10 * 60_000).length;
      const today = u.purchases.filter((p) => p.at >= startOfUtcDay(now));
      if (tenMin >= LIMITS.purchasesPer10Min || today.length >= LIMITS.purchasesPerDay) return { err: 'purchase_velocity' };
      const spent = today.filter((p) => p.wallet !== 'failed').reduce((s, p) => s + p.price, 0);
      if (spent + pkg.priceCents > LIMITS.purchaseCentsPerDay) return { err: 'purchase_daily_cap' };
      if (u.limit !== null && spent + pkg.priceCents > u.limit) return { err: 'spending_limit_reached' };
      const status: WalletStatus = card === 'success' ? 'pending' : card === 'decline' ? 'failed' : 'requires_action';
      return {
        ok: true,
        verify: (v) => {
          const p = v as { id: string; status: string; coins: number };
          return p.id === id && p.status === status && p.coins === pkg.coins ? null : `buy ${id}: answered ${JSON.stringify(p)}, expected ${status}`;
        },
        apply: () => {
          const p: MPurchase = {
            id,
            user: u,
            coins: pkg.coins,
            price: pkg.priceCents,
            packageId: pkg.id,
            card,
            at: now,
            wallet: status,
            provider: card === 'success' ? 'succeeded' : card === 'decline' ? 'failed' : 'requires_action',
            credited: false,
            reversedBeforeCredit: false,
            clawed: 0,
            recoveryCoins: 0,
          };
          u.purchases.push(p);
          purchases.set(id, p);
          answeredBuys.push({ p, card: SANDBOX_CARDS[card] });
          rep.purchases++;
          if (card === 'decline') rep.declined++;
          if (card === 'threeDs') rep.threeDs++;
        },
      };
    };

    const predictGift = (u: MUser, videoId: string, id: string, giftId: string): Expect => {
      const gift = GIFTS.find((g) => g.id === giftId);
      if (!gift) return { err: 'unknown_gift' };
      if (u.minor) return { err: 'minor_cannot_gift' };
      const v = videoOwner.get(videoId);
      if (!v) return { err: 'not_found' };
      const c = v.owner;
      if (c === u) return { err: 'gift_to_self' };
      if (v.status !== 'ready') return { err: 'video_unavailable' };
      if (v.visibility === 'private') return { err: 'video_private' };
      if (v.visibility === 'followers') return { err: 'not_found' };
      if (c.minor) return { err: 'creator_cannot_receive' };
      if (c.suspended) return { err: 'creator_unavailable' };
      if (u.recovery > 0) return { err: 'recovery_balance_owed' };
      const hour = u.gifts.filter((g) => g.at >= now - 3_600_000);
      const minute = hour.filter((g) => g.at >= now - 60_000).length;
      if (minute >= LIMITS.giftsPerMinute || hour.reduce((s, g) => s + g.coins, 0) + gift.coins > LIMITS.giftCoinsPerHour) return { err: 'gift_velocity' };
      if (u.coins < gift.coins) return { err: 'insufficient_coins' };
      const diamonds = gift.coins / 2;
      return {
        ok: true,
        verify: (x) => {
          const g = x as { id: string; coins: number; diamonds: number };
          return g.id === id && g.coins === gift.coins && g.diamonds === diamonds ? null : `gift ${id}: answered ${JSON.stringify(g)}`;
        },
        apply: () => {
          u.coins -= gift.coins;
          c.diamonds += diamonds;
          u.gifts.push({ at: now, coins: gift.coins });
          answeredGifts.push({ id, sender: u, videoId, giftId, coins: gift.coins, diamonds });
          giftsOk++;
          rep.gifts++;
        },
      };
    };

    const predictPayout = (u: MUser, id: string, diamonds: number): Expect => {
      if (u.minor) return { err: 'minor_cannot_cash_out' };
      if (u.suspended) return { err: 'account_suspended' };
      if (diamonds < LIMITS.minPayoutDiamonds) return { err: 'below_minimum' };
      const today = u.payouts
        .filter((p) => p.at >= startOfUtcDay(now) && (p.status === 'pending' || p.status === 'approving' || p.status === 'paid'))
        .reduce((s, p) => s + p.diamonds, 0);
      if (today + diamonds > LIMITS.maxDailyPayoutDiamonds) return { err: 'daily_maximum' };
      if (u.diamonds < diamonds) return { err: 'insufficient_diamonds' };
      return {
        ok: true,
        verify: (x) => {
          const p = x as { id: string; diamonds: number; status: string };
          return p.id === id && p.diamonds === diamonds && p.status === 'pending' ? null : `payout ${id}: answered ${JSON.stringify(p)}`;
        },
        apply: () => {
          u.diamonds -= diamonds;
          u.reserved += diamonds;
          const p: MPayout = { id, user: u, diamonds, at: now, expiresAt: now + LIMITS.payoutPendingSec * 1000, status: 'pending', ledger: 'pending' };
          if (r.next() < 0.2) ignored.add(id);
          u.payouts.push(p);
          payouts.set(id, p);
        },
      };
    };

    const predictDecision = (staff: MUser, p: MPayout, approve: boolean): Expect => {
      if (staff.kind !== 'admin') return { err: 'forbidden' };
      if (p.status !== 'pending') return { err: 'payout_not_pending' };
      if (p.expiresAt <= now) return { err: 'payout_expired', apply: () => void (p.status = 'expired') };
      if (approve && p.user.suspended) return { err: 'account_suspended' };
      const want = approve ? 'paid' : 'rejected';
      return {
        ok: true,
        verify: (x) => ((x as { status: string }).status === want ? null : `payout ${p.id}: answered ${JSON.stringify(x)}, expected ${want}`),
        apply: () => {
          p.status = want;
          p.user.reserved -= p.diamonds;
          if (approve) {
            p.ledger = 'posted';
            p.providerPaid = true;
            paidCents += p.diamonds;
            rep.payoutsPaid++;
          } else {
            p.ledger = 'voided';
            p.user.diamonds += p.diamonds;
            rep.payoutsRejected++;
          }
        },
      };
    };

    const predictRefund = (staff: MUser, p: MPurchase): Expect => {
      if (staff.kind !== 'admin' && staff.kind !== 'support') return { err: 'forbidden' };
      if (p.wallet !== 'succeeded') return { err: 'not_refundable' };
      if (p.provider !== 'succeeded') return { err: 'not_refundable' };
      return { ok: true, apply: () => void ((p.provider = 'refunded'), rep.refunds++) };
    };
    const predictChargeback = (staff: MUser, p: MPurchase): Expect => {
      if (staff.kind !== 'admin') return { err: 'forbidden' };
      if (p.provider !== 'succeeded') return { err: 'not_disputable' };
      return { ok: true, apply: () => void ((p.provider = 'disputed'), rep.chargebacks++) };
    };
    const predict3ds = (u: MUser, p: MPurchase, approve: boolean): Expect => {
      if (p.user !== u) return { err: 'not_found' };
      if (p.provider !== 'requires_action') return { err: 'no_action_pending' };
      return {
        ok: true,
        verify: (x) => ((x as { id: string }).id === p.id ? null : `3ds ${p.id}: answered ${JSON.stringify(x)}`),
        apply: () => void (p.provider = approve ? 'succeeded' : 'failed'),
      };
    };

    /** The wallet's webhook state machine (wallet.service.ts#applyEvent), on the model. */
    const predictEvent = (e: MEvent): string => {
      const p = purchases.get(e.purchaseId)!;
      const u = p.user;
      const s = p.wallet;
      switch (e.type) {
        case 'requires_action':
          if (s !== 'pending') return 'ignored_stale';
          p.wallet = 'requires_action';
          return 'requires_action';
        case 'failed':
          if (s !== 'pending' && s !== 'requires_action') return 'ignored_stale';
          p.wallet = 'failed';
          return 'failed';
        case 'succeeded': {
          if (s === 'succeeded' || s === 'refunded' || s === 'charged_back') return 'ignored_stale';
          p.wallet = 'succeeded';
          p.credited = true;
          u.coins += p.coins;
          const repay = Math.min(u.recovery, p.coins);
          u.coins -= repay;
          u.recovery -= repay;
          platformSales += p.price;
          rep.credited++;
          return 'credited';
        }
        case 'refunded':
        case 'disputed': {
          const to = e.type === 'refunded' ? 'refunded' : 'charged_back';
          if (s === 'refunded' || s === 'charged_back') return 'ignored_stale';
          if (s !== 'succeeded') {
            p.wallet = to;
            p.reversedBeforeCredit = true;
            rep.reversedBeforeCredit++;
            return 'reversed_before_credit';
          }
          const claw = Math.min(u.coins, p.coins);
          u.coins -= claw;
          u.recovery += p.coins - claw;
          p.clawed = claw;
          p.recoveryCoins = p.coins - claw;
          p.wallet = to;
          platformSales -= p.price;
          return to;
        }
      }
    };

    // ---- running steps ---------------------------------------------------------------------------------------------------
    const runStep = async (st: Step) => {
      const expect = st.predict();
      const { answer, resent } = await send<CallAnswer>({ op: 'call', now: nowIso(), call: st.call });
      rep.operations++;
      const label = `${st.call.fn} as ${byId.get(st.call.as)?.username}`;
      if ('err' in answer) {
        if ('err' in expect && expect.err === answer.err.code) {
          refused(answer.err.code);
          expect.apply?.();
          return;
        }
        // Retried after a kill: the first attempt may have committed; "already done" is its answer now, and its effect stands.
        if (resent && st.doneCodes?.includes(answer.err.code)) {
          if ('ok' in expect) expect.apply?.(undefined);
          else expect.apply?.();
          return;
        }
        return violation(`${label}: refused ${answer.err.status} ${answer.err.code} (${answer.err.message}); expected ${JSON.stringify(expect)}`);
      }
      if (!('ok' in expect)) return violation(`${label}: succeeded; expected a refusal with ${expect.err}`);
      const bad = expect.verify?.(answer.ok);
      if (bad) violation(`${label}: ${bad}`);
      expect.apply?.(answer.ok);
    };
    const runAction = async (steps: (() => Step | null)[]) => {
      for (const next of steps) {
        const st = next();
        if (st) await runStep(st);
      }
    };

    // ---- webhooks ----------------------------------------------------------------------------------------------------------
    const pullOutbox = async () => {
      const { answer } = await send<{ id: string; payload: string }[]>({ op: 'outbox', now: nowIso() });
      const known = new Set(undelivered.map((e) => e.id));
      for (const w of answer) {
        if (known.has(w.id) || events.has(w.id)) continue;
        const body = JSON.parse(w.payload) as { id: string; type: MEvent['type']; data: { purchaseId: string } };
        const e: MEvent = { id: w.id, body: w.payload, type: body.type, purchaseId: body.data.purchaseId };
        undelivered.push(e);
      }
    };
    const deliver = async (e: MEvent, signature: 'valid' | 'wrong_secret' | 'stale' | 'none' = 'valid') => {
      const { answer } = await send<CallAnswer>({ op: 'webhook', now: nowIso(), body: e.body, signature });
      rep.operations++;
      if (signature !== 'valid') {
        rep.badSignatures++;
        if (!('err' in answer) || answer.err.code !== 'invalid_signature')
          violation(`webhook ${e.id} with a ${signature} signature: ${JSON.stringify(answer)}`);
        return;
      }
      if ('err' in answer) return violation(`webhook ${e.id}: ${JSON.stringify(answer.err)}`);
      const a = answer.ok as { duplicate: boolean; outcome: string };
      rep.webhooks++;
      if (e.first === undefined) {
        // A webhook for a purchase a kill left unstarted records the provider's reference: it is started now.
        const cut = purchases.get(e.purchaseId);
        if (cut?.recoverAt !== undefined) settle(cut);
        // The first answer (or, re-sent after a kill, the answer recorded when it first applied) must be the model's.
        e.first = predictEvent(e);
        events.set(e.id, e);
        delivered.push(e);
        undelivered = undelivered.filter((x) => x !== e);
        if (a.outcome !== e.first) violation(`webhook ${e.id} (${e.type}, purchase ${e.purchaseId}): outcome ${a.outcome}, model ${e.first}`);
      } else {
        rep.duplicateWebhooks++;
        if (!a.duplicate || a.outcome !== e.first) violation(`duplicate webhook ${e.id}: ${JSON.stringify(a)}, first outcome ${e.first}`);
      }
    };

    // ---- checks ----------------------------------------------------------------------------------------------------------
    const check = async (full: boolean) => {
      const tc = performance.now();
      const { answer: c } = await send<CheckAnswer>({ op: 'check', now: nowIso(), full });
      rep.checkSeconds += (performance.now() - tc) / 1000;
      rep.checks++;
      const sums = new Map<string, number[]>();
      const acct = new Map<string, CheckAnswer['accounts'][number]>();
      for (const a of c.accounts) {
        const s = sums.get(a.asset) ?? [0, 0, 0, 0];
        s[0]! += a.debits_posted;
        s[1]! += a.credits_posted;
        s[2]! += a.debits_pending;
        s[3]! += a.credits_pending;
        sums.set(a.asset, s);
        if (a.debits_must_not_exceed_credits && a.debits_posted + a.debits_pending > a.credits_posted) violation(`account ${a.kind} ${a.id} overdrawn`);
        if (a.credits_must_not_exceed_debits && a.credits_posted + a.credits_pending > a.debits_posted) violation(`account ${a.kind} ${a.id} over-repaid`);
        acct.set(`${a.asset}:${a.kind}:${a.owner_id ?? ''}`, a);
      }
      for (const [asset, [dp, cp, dq, cq]] of sums) if (dp !== cp || dq !== cq) violation(`${asset}: Σ debits ${dp}+${dq} ≠ Σ credits ${cp}+${cq}`);
      const bal = (asset: string, kind: string, owner: string | null) => acct.get(`${asset}:${kind}:${owner ?? ''}`);
      for (const u of everyone) {
        const w = bal('COIN', 'wallet', u.id);
        const rc = bal('COIN', 'recovery', u.id);
        const d = bal('DIAMOND', 'diamonds', u.id);
        const coins = w ? w.credits_posted - w.debits_posted - w.debits_pending : 0;
        const recovery = rc ? rc.debits_posted - rc.credits_posted - rc.credits_pending : 0;
        const diamonds = d ? d.credits_posted - d.debits_posted - d.debits_pending : 0;
        const reserved = d ? d.debits_pending : 0;
        if (coins !== u.coins || recovery !== u.recovery || diamonds !== u.diamonds || reserved !== u.reserved)
          violation(
            `${u.username}: ledger coins ${coins} recovery ${recovery} diamonds ${diamonds} reserved ${reserved}; model ${u.coins}/${u.recovery}/${u.diamonds}/${u.reserved}`,
          );
      }
      const sales = bal('USD', 'coin_sales', null);
      const salesNet = sales ? sales.credits_posted - sales.debits_posted : 0;
      if (salesNet !== platformSales) violation(`coin sales ${salesNet} cents, model ${platformSales}`);
      const paid = bal('USD', 'payout_clearing', null);
      if ((paid ? paid.credits_posted : 0) !== paidCents) violation(`payouts paid ${paid?.credits_posted ?? 0} cents, model ${paidCents}`);
      // Purchases: our state, the provider's, and exactly one coin credit per credited purchase.
      const credits = new Map(c.credits.map((x) => [x.purchase_id, x.n]));
      const seen = new Set<string>();
      for (const row of c.purchases) {
        seen.add(row.id);
        const p = purchases.get(row.id);
        if (!p) {
          violation(`purchase ${row.id} the model never made`);
          continue;
        }
        if (p.recoverAt !== undefined) {
          // Left unstarted by a kill: pending, no coins, until the recovery job starts it (the provider has it, or not yet).
          if (row.status !== 'pending') violation(`purchase ${p.id} (cut off by a kill): status ${row.status}, expected pending until recovery`);
          if (!c.unstarted.includes(p.id)) violation(`purchase ${p.id} (cut off by a kill) has a provider reference before recovery`);
          if (row.provider_status !== (p.providerMissing ? null : p.provider))
            violation(`purchase ${p.id} (cut off by a kill): provider status ${row.provider_status}, model ${p.providerMissing ? 'none' : p.provider}`);
        } else {
          if (row.status !== p.wallet) violation(`purchase ${p.id}: status ${row.status}, model ${p.wallet}`);
          if (row.provider_status !== (p.providerMissing ? null : p.provider))
            violation(`purchase ${p.id}: provider status ${row.provider_status}, model ${p.providerMissing ? 'none' : p.provider}`);
          if (c.unstarted.includes(p.id)) violation(`purchase ${p.id} is left unstarted (no provider reference)`);
        }
        if (!!row.credited_at !== p.credited) violation(`purchase ${p.id}: credited_at ${row.credited_at}, model credited ${p.credited}`);
        if ((credits.get(p.id) ?? 0) !== (p.credited ? 1 : 0))
          violation(`purchase ${p.id}: ${credits.get(p.id) ?? 0} coin credits, model ${p.credited ? 1 : 0}`);
        if (row.clawed_back_coins !== p.clawed || row.recovery_coins !== p.recoveryCoins)
          violation(`purchase ${p.id}: clawed ${row.clawed_back_coins} + recovery ${row.recovery_coins}, model ${p.clawed} + ${p.recoveryCoins}`);
      }
      for (const p of purchases.values()) if (!seen.has(p.id)) violation(`purchase ${p.id} is missing`);
      const usdByPayout = new Map(c.payoutUsd.map((x) => [x.payout_id, x.n]));
      for (const row of c.payouts) {
        const p = payouts.get(row.id);
        if (!p) {
          violation(`payout ${row.id} the model never made`);
          continue;
        }
        if (row.status !== p.status) violation(`payout ${p.id}: status ${row.status}, model ${p.status}`);
        if ((row.paid_cents ?? 0) !== (p.providerPaid ? p.diamonds : 0)) violation(`payout ${p.id}: provider paid ${row.paid_cents}, model ${p.status}`);
        // The crash-window invariants, straight from the rows: a payout the provider paid is never voided or expired in
        // our ledger (its diamonds are posted) and ends paid; money is recorded paid out once, exactly for paid payouts.
        if (row.paid_cents !== null && (row.ledger_state !== 'posted' || (row.status !== 'paid' && row.status !== 'approving')))
          violation(`payout ${p.id}: paid by the provider but ${row.status} with its diamonds ${row.ledger_state} in the ledger`);
        const usd = usdByPayout.get(p.id) ?? 0;
        if (usd !== (row.status === 'paid' ? 1 : 0)) violation(`payout ${p.id}: ${usd} payout transfers recorded, status ${row.status}`);
        if (row.status === 'paid' && row.paid_cents === null) violation(`payout ${p.id}: paid in our ledger, unknown to the provider`);
      }
      if (c.payouts.length !== payouts.size) violation(`${c.payouts.length} payouts, model ${payouts.size}`);
      if (c.gifts !== giftsOk) violation(`${c.gifts} gifts stored, model ${giftsOk}`);
      if (c.events !== events.size) violation(`${c.events} webhook events stored, model ${events.size} (a badly signed one must store nothing)`);
      if (c.report) {
        rep.reconciles++;
        if (!c.report.ok) violation(`reconcile: ${JSON.stringify(c.report.violations.slice(0, 3))}`);
      }
    };

    // ---- the generator -----------------------------------------------------------------------------------------------------
    const adults = () => fans;
    const pickVideo = () => {
      const x = r.next();
      if (x < 0.03) return odd.private.id;
      if (x < 0.05) return odd.followers.id;
      if (x < 0.07) return odd.failed.id;
      if (x < 0.09) return r.pick(minorCreator.videos);
      if (x < 0.1) return r.uuid(); // a video that does not exist
      return r.pick(r.pick(creators).videos);
    };
    const cards = (): MPurchase['card'] => {
      const x = r.next();
      return x < 0.72 ? 'success' : x < 0.84 ? 'decline' : 'threeDs';
    };
    const pkgFor = () => r.pick(['coins_100', 'coins_500', 'coins_500', 'coins_1000', 'coins_5000', 'coins_10000']);
    const affordableGift = (u: MUser) => {
      const ok = GIFTS.filter((g) => g.coins <= Math.max(u.coins, 2));
      if (r.next() < 0.08 || !ok.length) return r.pick(GIFTS).id;
      // Big spenders too: the dearest affordable gift a third of the time.
      return r.next() < 0.33 ? ok.at(-1)!.id : r.pick(ok).id;
    };

    /** A fan's action for phase A: one or several calls in sequence. */
    const fanAction = (u: MUser): (() => Step | null)[] => {
      const x = r.next();
      // Short of coins: usually buy, sometimes try a gift anyway (refused: no coins, or a recovery balance owed).
      if (x < 0.32 || (u.coins < 10 && r.next() < 0.7)) {
        const id = r.uuid();
        const pkg = pkgFor();
        const card = cards();
        return [() => ({ call: { fn: 'buyCoins', as: u.id, id, packageId: pkg, card: SANDBOX_CARDS[card] }, predict: () => predictBuy(u, id, pkg, card) })];
      }
      if (x < 0.62) {
        const id = r.uuid();
        const vid = pickVideo();
        const g = affordableGift(u);
        return [() => ({ call: { fn: 'sendGift', as: u.id, videoId: vid, id, giftId: g }, predict: () => predictGift(u, vid, id, g) })];
      }
      if (x < 0.68) {
        // A burst of small gifts: the velocity limit stops it at 20 a minute.
        const vid = r.pick(r.pick(creators).videos);
        return Array.from({ length: r.int(5, 24) }, () => () => {
          const id = r.uuid();
          return { call: { fn: 'sendGift', as: u.id, videoId: vid, id, giftId: 'heart' }, predict: () => predictGift(u, vid, id, 'heart') };
        });
      }
      if (x < 0.76) {
        const waiting = u.purchases.filter((p) => p.provider === 'requires_action' && p.recoverAt === undefined);
        if (waiting.length) {
          const p = r.pick(waiting);
          const approve = r.next() < 0.8;
          return [
            () => ({
              call: { fn: 'complete3ds', as: u.id, purchaseId: p.id, approve },
              predict: () => predict3ds(u, p, approve),
              doneCodes: ['no_action_pending'],
            }),
          ];
        }
      }
      if (x < 0.8) {
        // Someone else's 3-D Secure step: indistinguishable from none.
        const other = [...purchases.values()].find((p) => p.user !== u);
        if (other) return [() => ({ call: { fn: 'complete3ds', as: u.id, purchaseId: other.id, approve: true }, predict: () => predict3ds(u, other, true) })];
      }
      if (x < 0.88 && answeredGifts.length + answeredBuys.length) {
        // Retries with the same ids: the first outcome, nothing moves; the same id with other content is refused.
        rep.retries++;
        if (r.next() < 0.5 && answeredGifts.length) {
          const g = r.pick(answeredGifts);
          if (g.sender !== u)
            return [
              () => ({
                call: { fn: 'sendGift', as: u.id, videoId: g.videoId, id: g.id, giftId: g.giftId },
                predict: () => (u.minor ? { err: 'minor_cannot_gift' } : { err: 'gift_id_in_use' }),
              }),
            ];
          return [
            () => ({
              call: { fn: 'sendGift', as: u.id, videoId: g.videoId, id: g.id, giftId: g.giftId },
              predict: () => ({
                ok: true,
                verify: (v) => {
                  const a = v as { id: string; coins: number; diamonds: number; walletCoins: number };
                  return a.id === g.id && a.coins === g.coins && a.diamonds === g.diamonds && a.walletCoins === u.coins
                    ? null
                    : `gift retry: ${JSON.stringify(a)}`;
                },
              }),
            }),
          ];
        }
        if (answeredBuys.length) {
          const b = r.pick(answeredBuys);
          const same = b.p.user === u;
          return [
            () => ({
              call: { fn: 'buyCoins', as: u.id, id: b.p.id, packageId: b.p.packageId, card: b.card },
              predict: () =>
                u.minor
                  ? { err: 'minor_cannot_buy' }
                  : same
                    ? { ok: true, verify: (v) => ((v as { id: string; status: string }).status === b.p.wallet ? null : `buy retry: ${JSON.stringify(v)}`) }
                    : { err: 'purchase_id_in_use' },
            }),
          ];
        }
      }
      if (x < 0.92) {
        const cents = r.next() < 0.3 ? null : r.pick([500, 2_000, 10_000, 30_000]);
        return [
          () => ({
            call: { fn: 'setSpendingLimit', as: u.id, cents },
            predict: () => ({ ok: true, apply: () => void (u.limit = cents) }),
          }),
        ];
      }
      // Bad input the service itself must refuse, moving nothing.
      const id = r.uuid();
      const bad = r.int(0, 2);
      if (bad === 0)
        return [
          () => ({
            call: { fn: 'buyCoins', as: u.id, id, packageId: 'coins_7', card: SANDBOX_CARDS.success },
            predict: () => predictBuy(u, id, 'coins_7', 'success'),
          }),
        ];
      if (bad === 1) {
        const vid = r.pick(r.pick(creators).videos);
        return [() => ({ call: { fn: 'sendGift', as: u.id, videoId: vid, id, giftId: 'unicorn' }, predict: () => predictGift(u, vid, id, 'unicorn') })];
      }
      return [() => ({ call: { fn: 'requestPayout', as: u.id, id, diamonds: 1_000 }, predict: () => predictPayout(u, id, 1_000) })];
    };

    /** Phase B: creators' cash-outs and staff decisions; each affected user appears once. */
    const phaseB = (): (() => Step | null)[][] => {
      const actions: (() => Step | null)[][] = [];
      const busy = new Set<MUser>();
      for (const c of [...creators, minorCreator]) {
        if (r.next() > 0.35) continue;
        busy.add(c);
        const id = r.uuid();
        const x = r.next();
        const want =
          x < 0.1
            ? r.int(1, 999) // below the minimum
            : x < 0.18
              ? c.diamonds + r.int(1, 5_000) // more than there is
              : x < 0.22
                ? 100_001 // above the daily maximum
                : Math.max(LIMITS.minPayoutDiamonds, Math.floor(c.diamonds * r.next()));
        actions.push([() => ({ call: { fn: 'requestPayout', as: c.id, id, diamonds: want }, predict: () => predictPayout(c, id, want) })]);
      }
      // Staff decide some open requests of creators not acting this round.
      // A fifth of requests are never looked at, so they run out their 14 days and expire.
      const open = [...payouts.values()].filter(
        (p) => p.status === 'pending' && !busy.has(p.user) && (!ignored.has(p.id) || (p.expiresAt <= now && r.next() < 0.2)),
      );
      for (const p of open) {
        if (busy.has(p.user) || r.next() > 0.3) continue;
        busy.add(p.user);
        const approve = r.next() < 0.6;
        const staff = r.next() < 0.08 ? support : admin;
        const reason = 'simulated review';
        actions.push([
          () => ({
            call: approve ? { fn: 'approvePayout', as: staff.id, id: p.id } : { fn: 'rejectPayout', as: staff.id, id: p.id, reason },
            predict: () => predictDecision(staff, p, approve),
            doneCodes: ['payout_not_pending'],
          }),
        ]);
      }
      // Support refunds and admin chargebacks of fans' purchases (fans do not act in this phase).
      const refundable = [...purchases.values()].filter((p) => p.provider === 'succeeded' && p.recoverAt === undefined && !p.providerMissing);
      for (let k = 0; k < 3 && refundable.length; k++) {
        if (r.next() > 0.5) continue;
        // Often a purchase whose coins were already spent: its reversal leaves a recovery balance.
        const spent = refundable.filter((p) => p.credited && p.user.coins < p.coins);
        const p = spent.length && r.next() < 0.6 ? spent[r.int(0, spent.length - 1)]! : refundable[r.int(0, refundable.length - 1)]!;
        refundable.splice(refundable.indexOf(p), 1);
        if (r.next() < 0.5) {
          const staff = r.next() < 0.1 ? fans[0]! : support;
          actions.push([
            () => ({ call: { fn: 'refundPurchase', as: staff.id, id: p.id }, predict: () => predictRefund(staff, p), doneCodes: ['not_refundable'] }),
          ]);
        } else {
          const staff = r.next() < 0.1 ? support : admin;
          actions.push([
            () => ({ call: { fn: 'chargeback', as: staff.id, id: p.id }, predict: () => predictChargeback(staff, p), doneCodes: ['not_disputable'] }),
          ]);
        }
      }
      return actions;
    };

    // ---- crash windows and the recovery job ----------------------------------------------------------------------------------
    const GRACE_MS = PAYMENT_RECOVERY_GRACE_SEC * 1000;
    /** A purchase a kill left unstarted is started (by the recovery job or its webhook): the provider's answer is recorded. */
    const settle = (p: MPurchase) => {
      p.recoverAt = undefined;
      p.providerMissing = false;
      if (p.wallet === 'pending') p.wallet = p.syncStatus!;
      answeredBuys.push({ p, card: SANDBOX_CARDS[p.card] });
    };
    /** The payments.recover job: finishes exactly the approvals and purchases the model knows a kill left half-done. */
    const recover = async () => {
      const duePayouts = [...payouts.values()].filter((p) => p.status === 'approving' && p.recoverAt! <= now);
      const duePurchases = [...purchases.values()].filter((p) => p.recoverAt !== undefined && p.recoverAt <= now);
      // Started if still within the deadline (an hour); failed otherwise.
      const late = duePurchases.filter((p) => p.at + PAYMENT_START_DEADLINE_SEC * 1000 <= now);
      const { answer } = await send<{ purchases: { redriven: number; failed: number }; payouts: { paid: number; failed: number } }>({
        op: 'recover',
        now: nowIso(),
      });
      rep.operations++;
      if (answer.payouts.paid !== duePayouts.length || answer.payouts.failed !== 0)
        violation(`recovery paid ${answer.payouts.paid} (failed ${answer.payouts.failed}) approvals, model ${duePayouts.length}`);
      if (answer.purchases.redriven !== duePurchases.length - late.length || answer.purchases.failed !== late.length)
        violation(
          `recovery started ${answer.purchases.redriven} and failed ${answer.purchases.failed} purchases, model ${duePurchases.length - late.length} and ${late.length}`,
        );
      for (const p of duePayouts) {
        p.status = 'paid';
        p.recoverAt = undefined;
        paidCents += p.diamonds;
        rep.payoutsPaid++;
        rep.recoveredPayouts++;
      }
      for (const p of duePurchases) {
        if (late.includes(p)) {
          p.recoverAt = undefined;
          p.wallet = 'failed';
          p.interrupted = true;
          rep.interruptedPurchases++;
          continue;
        }
        settle(p);
        rep.recoveredPurchases++;
      }
    };
    const windows: CrashPoint[] = ['payout_after_pay', 'purchase_after_create', 'purchase_before_create'];
    let probes = 0;
    /** A kill inside a crash window: armed in the child at a provider call, the request alone in flight. */
    const crashProbe = async () => {
      const point = windows[probes % windows.length]!;
      let st: Step;
      let payout: MPayout | undefined;
      let purchaseId: string | undefined;
      if (point === 'payout_after_pay') {
        payout = [...payouts.values()].find((p) => p.status === 'pending' && p.expiresAt > now && !p.user.suspended && !p.user.minor);
        if (!payout) return;
        const px = payout;
        st = { call: { fn: 'approvePayout', as: admin.id, id: px.id }, predict: () => predictDecision(admin, px, true) };
      } else {
        const id = r.uuid();
        const card = cards();
        const u = fans.find((f) => 'ok' in predictBuy(f, id, 'coins_500', card));
        if (!u) return;
        purchaseId = id;
        st = { call: { fn: 'buyCoins', as: u.id, id, packageId: 'coins_500', card: SANDBOX_CARDS[card] }, predict: () => predictBuy(u, id, 'coins_500', card) };
      }
      probes++;
      const expect = st.predict();
      if (!('ok' in expect)) return;
      await send({ op: 'arm', now: nowIso(), point });
      let killed = false;
      try {
        await child.call({ op: 'call', now: nowIso(), call: st.call });
      } catch (err) {
        if (!(err instanceof KilledError)) throw err;
        killed = true;
      }
      rep.operations++;
      if (!killed) return violation(`crash point ${point} armed, but ${st.call.fn} answered without reaching it`);
      rep.windowKills[point]++;
      const tr = performance.now();
      await child.restart();
      rep.restartSeconds += (performance.now() - tr) / 1000;
      log(`round ${rep.rounds + 1}: SIGKILL inside ${point}`);
      if (Math.floor((probes - 1) / windows.length) % 2 === 1) {
        // Every other cycle: sent again with the same id: the service finishes what the kill cut off, and answers as the first call would have.
        rep.windowResent++;
        rep.resentAfterKill++;
        await runStep(st);
        return;
      }
      // Left alone: the recovery job must finish it once the grace period is over.
      if (payout) {
        payout.status = 'approving';
        payout.ledger = 'posted';
        payout.providerPaid = true;
        payout.user.reserved -= payout.diamonds;
        payout.recoverAt = now + GRACE_MS;
      } else {
        expect.apply?.(undefined);
        const p = purchases.get(purchaseId!)!;
        answeredBuys.splice(
          answeredBuys.findIndex((b) => b.p === p),
          1,
        );
        p.syncStatus = p.wallet;
        p.wallet = 'pending';
        p.recoverAt = now + GRACE_MS;
        p.providerMissing = point === 'purchase_before_create';
      }
    };

    // ---- rounds ------------------------------------------------------------------------------------------------------------
    const roundsGuess = Math.max(4, Math.ceil(o.operations / 40));
    const killRounds = new Set<number>();
    for (let k = 0; k < o.kills; k++) {
      let at = Math.max(2, Math.min(roundsGuess - 1, Math.floor(((k + 0.5) * roundsGuess) / o.kills) + r.int(-1, 1)));
      while (killRounds.has(at)) at++;
      killRounds.add(at);
    }
    const probeRounds = new Set<number>();
    for (let k = 0; k < (o.windowKills ?? 6); k++) probeRounds.add(Math.max(2, Math.floor(((k + 0.3) * roundsGuess) / (o.windowKills ?? 6))));
    let killsPlanned = 0;
    const withKill = async (round: number, phase: number, work: Promise<unknown>) => {
      // The phase of a kill round is chosen by its number; the kill lands 0–40 ms in, mid-flight.
      if (killRounds.has(round) && round % 3 === phase && killsPlanned < o.kills) {
        killsPlanned++;
        await new Promise((res) => setTimeout(res, r.int(0, 40)));
        await kill();
      }
      await work;
    };

    let round = 0;
    // Rounds carry more operations than roundsGuess assumes when the window probes add theirs: go on until every planned kill has landed too.
    while (rep.operations < o.operations || killsPlanned < o.kills) {
      round++;
      now += r.int(20, 240) * 1000;
      if (round % 4 === 0) now += r.int(1, 3) * DAY;
      await recover();

      // A: fans (and the under-18 fan) act, concurrently, each once.
      const actors = [...adults(), minorFan].filter(() => r.next() < 0.35);
      await withKill(round, 0, Promise.all(actors.map((u) => runAction(fanAction(u)))));
      // B: cash-outs, payout decisions, refunds, chargebacks.
      await withKill(round, 1, Promise.all(phaseB().map(runAction)));

      // C: the provider delivers webhooks: some late (held back), in a random order, some twice, old ones replayed,
      // and forged, stale or unsigned ones that must change nothing.
      await pullOutbox();
      const due = undelivered.filter(() => r.next() < 0.7);
      if (r.next() < 0.3) due.reverse();
      else for (let i = due.length - 1; i > 0; i--) [due[i], due[r.int(0, i)]] = [due[r.int(0, i)]!, due[i]!];
      const plan: { e: MEvent; sig: 'valid' | 'wrong_secret' | 'stale' | 'none' }[] = [];
      for (const e of due) {
        if (r.next() < 0.04) plan.push({ e, sig: r.pick(['wrong_secret', 'stale', 'none'] as const) });
        plan.push({ e, sig: 'valid' });
        if (r.next() < 0.15) plan.push({ e, sig: 'valid' });
      }
      if (delivered.length && r.next() < 0.4) plan.push({ e: r.pick(delivered), sig: 'valid' });
      await withKill(
        round,
        2,
        (async () => {
          for (const x of plan) await deliver(x.e, x.sig);
        })(),
      );

      // D: an admin suspends a creator or lifts a suspension, now and then (support may not).
      if (r.next() < 0.12) {
        // Suspensions are lifted more often than made, so most creators can receive gifts most of the time.
        const suspended = creators.filter((c) => c.suspended);
        const c = suspended.length && r.next() < 0.6 ? r.pick(suspended) : r.pick(creators);
        const staff = r.next() < 0.15 ? support : admin;
        await runStep({
          call: { fn: 'suspend', as: staff.id, username: c.username, suspend: !c.suspended },
          predict: () =>
            staff !== admin ? { err: 'forbidden' } : { ok: true, apply: () => void ((c.suspended = !c.suspended), c.suspended && rep.suspensions++) },
        });
      }

      // E: now and then a kill inside a crash window (between a provider call and our record of it).
      if (probeRounds.has(round)) await crashProbe();

      // The ledger's expiry job: it voids exactly the cash-outs whose 14 days are up (never one being paid).
      const dueExpiry = [...payouts.values()].filter((p) => p.ledger === 'pending' && p.expiresAt <= now);
      const { answer: n } = await send<number>({ op: 'expire', now: nowIso() });
      if (n !== dueExpiry.length) violation(`expirePending voided ${n}, model ${dueExpiry.length}`);
      for (const p of dueExpiry) {
        p.ledger = 'expired';
        p.user.reserved -= p.diamonds;
        p.user.diamonds += p.diamonds;
        rep.payoutsExpired++;
      }

      await check(true);
      rep.rounds = round;
      if (round % 10 === 0)
        log(
          `round ${round}: ${rep.operations} ops, ${rep.purchases} purchases, ${rep.gifts} gifts, ${rep.webhooks} webhooks, ${rep.kills} kills, ${violations.length} violations`,
        );
    }

    // The recovery job once more after the grace period: nothing a kill cut off is left half-done.
    now += GRACE_MS;
    await recover();
    // Drain: every webhook arrives in the end (shuffled, some twice); then our state must match the provider's.
    await pullOutbox();
    for (const e of [...undelivered].reverse()) {
      await deliver(e);
      if (r.next() < 0.2) await deliver(e);
    }
    await check(true);
    const expected: Record<ProviderStatus, WalletStatus> = {
      succeeded: 'succeeded',
      refunded: 'refunded',
      disputed: 'charged_back',
      failed: 'failed',
      requires_action: 'requires_action',
    };
    for (const p of payouts.values()) if (p.status === 'approving') violation(`payout ${p.id} is still approving at the end`);
    for (const p of purchases.values()) {
      if (p.recoverAt !== undefined) violation(`purchase ${p.id} was never started after its kill`);
      if (p.providerMissing) {
        // Never reached the provider (cut off by a kill, then past the deadline): failed, nothing credited.
        if (p.wallet !== 'failed' || p.credited) violation(`purchase ${p.id} never reached the provider but is ${p.wallet}, credited ${p.credited}`);
        continue;
      }
      // Failed at the deadline while the provider still waits for the buyer's 3-D Secure step: it stays failed unless completed.
      if (p.interrupted && p.provider === 'requires_action' && p.wallet === 'failed') continue;
      if (p.wallet !== expected[p.provider]) violation(`after every webhook, purchase ${p.id} is ${p.wallet} while the provider says ${p.provider}`);
      const confirmed = p.provider === 'succeeded' || ((p.provider === 'refunded' || p.provider === 'disputed') && !p.reversedBeforeCredit);
      if (confirmed !== p.credited) violation(`purchase ${p.id}: provider ${p.provider}, credited ${p.credited}`);
    }
    rep.simulatedDays = Math.round(((now - start) / DAY) * 10) / 10;
  } finally {
    await child.stop();
  }
  rep.seconds = Math.round((performance.now() - t0) / 10) / 100;
  rep.checkSeconds = Math.round(rep.checkSeconds * 100) / 100;
  rep.restartSeconds = Math.round(rep.restartSeconds * 100) / 100;
  rep.opsPerSecond = Math.round(rep.operations / rep.seconds);
  return rep;
}

export const randomWalletSeed = () => crypto.randomInt(1, 2 ** 31);
