import { sql } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';

type Asset = 'COIN' | 'DIAMOND' | 'USD';

export type ReconcileViolation = {
  kind: 'asset_unbalanced' | 'balance_mismatch' | 'limit_exceeded' | 'pending_inconsistent' | 'asset_inconsistent';
  asset?: Asset;
  accountId?: string;
  transferId?: string;
  detail: string;
};

export type ReconcileReport = {
  ok: boolean;
  at: string;
  durationMs: number;
  accounts: number;
  transfers: number;
  openPending: number;
  /** Per asset, over every account's cached balance. Balanced: Σ debits = Σ credits, posted and pending. */
  assets: { asset: Asset; debitsPosted: number; creditsPosted: number; debitsPending: number; creditsPending: number; balanced: boolean }[];
  /** The first 100 violations found (none when ok). */
  violations: ReconcileViolation[];
  violationCount: number;
};

const MAX_LISTED = 100;

/**
 * Proves the ledger from its own rows, in one consistent snapshot: per asset Σ debits = Σ credits (posted and
 * pending), every cached balance equals the sum of its transfers, no flagged account past its limit, every
 * transfer's asset matches both accounts, and every pending transfer's state matches its post or void.
 */
export async function reconcileLedger(db: Database, clock: Clock): Promise<ReconcileReport> {
  const t0 = performance.now();
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const violations: ReconcileViolation[] = [];
      let count = 0;
      const add = (v: ReconcileViolation) => {
        count++;
        if (violations.length < MAX_LISTED) violations.push(v);
      };
      const assets = (
        await sql<{ asset: Asset; dp: number; cp: number; dq: number; cq: number; n: number }>`
          SELECT asset, SUM(debits_posted)::bigint AS dp, SUM(credits_posted)::bigint AS cp, SUM(debits_pending)::bigint AS dq,
                 SUM(credits_pending)::bigint AS cq, count(*) AS n
            FROM ledger_accounts GROUP BY asset ORDER BY asset`.execute(trx)
      ).rows.map((r) => {
        const balanced = Number(r.dp) === Number(r.cp) && Number(r.dq) === Number(r.cq);
        if (!balanced)
          add({
            kind: 'asset_unbalanced',
            asset: r.asset,
            detail: `Σ debits ${r.dp} (+${r.dq} pending) ≠ Σ credits ${r.cp} (+${r.cq} pending)`,
          });
        return {
          asset: r.asset,
          debitsPosted: Number(r.dp),
          creditsPosted: Number(r.cp),
          debitsPending: Number(r.dq),
          creditsPending: Number(r.cq),
          balanced,
          n: Number(r.n),
        };
      });

      const mismatched = await sql<{ id: string; asset: Asset; cached: string; derived: string }>`
        WITH sides AS (
          SELECT debit_account_id AS acc,
                 CASE WHEN kind IN ('single', 'post') THEN amount ELSE 0 END AS dp, 0::bigint AS cp,
                 CASE WHEN kind = 'pending' AND state = 'pending' THEN amount ELSE 0 END AS dq, 0::bigint AS cq
            FROM ledger_transfers
          UNION ALL
          SELECT credit_account_id, 0, CASE WHEN kind IN ('single', 'post') THEN amount ELSE 0 END,
                 0, CASE WHEN kind = 'pending' AND state = 'pending' THEN amount ELSE 0 END
            FROM ledger_transfers
        ), derived AS (
          SELECT acc, SUM(dp)::bigint AS dp, SUM(cp)::bigint AS cp, SUM(dq)::bigint AS dq, SUM(cq)::bigint AS cq FROM sides GROUP BY acc
        )
        SELECT a.id, a.asset,
               concat_ws('/', a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending) AS cached,
               concat_ws('/', COALESCE(d.dp, 0), COALESCE(d.cp, 0), COALESCE(d.dq, 0), COALESCE(d.cq, 0)) AS derived
          FROM ledger_accounts a LEFT JOIN derived d ON d.acc = a.id
         WHERE a.debits_posted <> COALESCE(d.dp, 0) OR a.credits_posted <> COALESCE(d.cp, 0)
            OR a.debits_pending <> COALESCE(d.dq, 0) OR a.credits_pending <> COALESCE(d.cq, 0)
         LIMIT ${MAX_LISTED + 1}`.execute(trx);
      for (const r of mismatched.rows)
        add({
          kind: 'balance_mismatch',
          asset: r.asset,
          accountId: r.id,
          detail: `cached debits/credits posted/pending ${r.cached} ≠ from its transfers ${r.derived}`,
        });

      const over = await sql<{ id: string; asset: Asset; detail: string }>`
        SELECT id, asset,
               CASE WHEN debits_must_not_exceed_credits
                    THEN format('debits %s + pending %s > credits %s', debits_posted, debits_pending, credits_posted)
                    ELSE format('credits %s + pending %s > debits %s', credits_posted, credits_pending, debits_posted) END AS detail
          FROM ledger_accounts
         WHERE (debits_must_not_exceed_credits AND debits_posted + debits_pending > credits_posted)
            OR (credits_must_not_exceed_debits AND credits_posted + credits_pending > debits_posted)
         LIMIT ${MAX_LISTED + 1}`.execute(trx);
      for (const r of over.rows) add({ kind: 'limit_exceeded', asset: r.asset, accountId: r.id, detail: r.detail });

      const wrongAsset = await sql<{ id: string; asset: Asset }>`
        SELECT t.id, t.asset FROM ledger_transfers t
          JOIN ledger_accounts d ON d.id = t.debit_account_id JOIN ledger_accounts c ON c.id = t.credit_account_id
         WHERE d.asset <> t.asset OR c.asset <> t.asset
         LIMIT ${MAX_LISTED + 1}`.execute(trx);
      for (const r of wrongAsset.rows)
        add({ kind: 'asset_inconsistent', asset: r.asset, transferId: r.id, detail: 'transfer asset differs from an account’s' });

      // A pending transfer is posted iff a post row names it, voided iff a void row does; a post never exceeds it.
      const pend = await sql<{ id: string; detail: string }>`
        SELECT p.id, format('state %s, resolved by %s (%s of %s)', p.state, COALESCE(r.kind, 'nothing'), COALESCE(r.amount, 0), p.amount) AS detail
          FROM ledger_transfers p LEFT JOIN ledger_transfers r ON r.pending_id = p.id
         WHERE p.kind = 'pending' AND NOT (
                 (p.state IN ('pending', 'expired') AND r.id IS NULL)
              OR (p.state = 'posted' AND r.kind = 'post' AND r.amount <= p.amount AND r.debit_account_id = p.debit_account_id AND r.credit_account_id = p.credit_account_id)
              OR (p.state = 'voided' AND r.kind = 'void' AND r.amount = p.amount AND r.debit_account_id = p.debit_account_id AND r.credit_account_id = p.credit_account_id))
         LIMIT ${MAX_LISTED + 1}`.execute(trx);
      for (const r of pend.rows) add({ kind: 'pending_inconsistent', transferId: r.id, detail: r.detail });

      const totals = (
        await sql<{ n: number; open: number }>`SELECT count(*) AS n, count(*) FILTER (WHERE state = 'pending') AS open FROM ledger_transfers`.execute(trx)
      ).rows[0]!;
      return {
        ok: count === 0,
        at: clock.now().toISOString(),
        durationMs: Math.round(performance.now() - t0),
        accounts: assets.reduce((s, a) => s + a.n, 0),
        transfers: Number(totals.n),
        openPending: Number(totals.open),
        assets: assets.map(({ n: _n, ...a }) => a),
        violations,
        violationCount: count,
      };
    });
}
