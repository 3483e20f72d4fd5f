import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import type { DB, LedgerAccountsTable, LedgerTransfersTable } from '../../platform/db/schema.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';

export type AccountRow = Selectable<LedgerAccountsTable>;
export type TransferRow = Selectable<LedgerTransfersTable>;
type Q = Database | Transaction<DB>;

type SeqCursor = { s: number };
const isSeqCursor = (v: unknown): v is SeqCursor => typeof v === 'object' && v !== null && Number.isSafeInteger((v as SeqCursor).s);
type AccCursor = { t: string; id: string };
const isAccCursor = (v: unknown): v is AccCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as AccCursor).t === 'string' &&
  !Number.isNaN(Date.parse((v as AccCursor).t)) &&
  /^[0-9a-f-]{36}$/.test((v as AccCursor).id);

const iso = (d: Date | string | null) => (d === null ? null : d instanceof Date ? d.toISOString() : d);

export type AccountWithOwner = AccountRow & { owner_username: string | null };

/** SQL of the ledger; the service decides, this reads and writes. */
export function createLedgerRepo(db: Database) {
  return {
    /** Transaction-scoped advisory locks on the batch's transfer ids, taken in the given (sorted) order. */
    async lockIds(trx: Q, keys: bigint[]) {
      await sql`SELECT count(pg_advisory_xact_lock(k)) FROM unnest(${keys.map(String)}::bigint[]) AS k`.execute(trx);
    },
    async transfersByIds(trx: Q, ids: string[]): Promise<Map<string, TransferRow>> {
      if (!ids.length) return new Map();
      const rows = await trx
        .selectFrom('ledger_transfers')
        .selectAll()
        .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
        .execute();
      return new Map(rows.map((r) => [r.id, r]));
    },
    async failuresByIds(trx: Q, ids: string[]): Promise<Map<string, { error: string; fingerprint: string }>> {
      if (!ids.length) return new Map();
      const rows = await trx
        .selectFrom('ledger_failed_transfers')
        .select(['id', 'error', 'fingerprint'])
        .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
        .execute();
      return new Map(rows.map((r) => [r.id, r]));
    },
    async lockTransfers(trx: Q, sortedIds: string[]): Promise<TransferRow[]> {
      if (!sortedIds.length) return [];
      const r = await sql<TransferRow>`SELECT * FROM ledger_transfers WHERE id = ANY(${sortedIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE`.execute(trx);
      return r.rows;
    },
    async lockAccounts(trx: Q, sortedIds: string[]): Promise<AccountRow[]> {
      if (!sortedIds.length) return [];
      const r = await sql<AccountRow>`SELECT * FROM ledger_accounts WHERE id = ANY(${sortedIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE`.execute(trx);
      return r.rows;
    },
    async lockExpiredPending(trx: Q, now: Date, limit: number): Promise<TransferRow[]> {
      const r = await sql<TransferRow>`SELECT * FROM ledger_transfers WHERE state = 'pending' AND timeout_at <= ${now.toISOString()}::timestamptz
        ORDER BY id LIMIT ${limit} FOR NO KEY UPDATE SKIP LOCKED`.execute(trx);
      return r.rows;
    },
    /** New transfers, balances, pending states and failures in one statement; returns each new transfer's seq. */
    async write(
      trx: Q,
      w: {
        created: TransferRow[];
        pendingState: Map<string, TransferRow['state']>;
        accounts: { row: AccountRow; dp: number; cp: number; dq: number; cq: number }[];
        failures: { id: string; error: string; fingerprint: string }[];
      },
    ): Promise<Map<string, number>> {
      // Separate simple statements (each skipped when empty) plan faster than one CTE, which matters on PGlite.
      const c = w.created;
      let seqs = new Map<string, number>();
      if (c.length) {
        const r = await sql<{ id: string; seq: number }>`
          INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, asset, amount, code, state, pending_id, timeout_at, meta, fingerprint, created_at)
          SELECT * FROM unnest(
            ${c.map((t) => t.id)}::uuid[], ${c.map((t) => t.kind)}::text[], ${c.map((t) => t.debit_account_id)}::uuid[],
            ${c.map((t) => t.credit_account_id)}::uuid[], ${c.map((t) => t.asset)}::text[], ${c.map((t) => t.amount)}::bigint[],
            ${c.map((t) => t.code)}::text[], ${c.map((t) => t.state)}::text[], ${c.map((t) => t.pending_id)}::uuid[],
            ${c.map((t) => iso(t.timeout_at))}::timestamptz[], ${c.map((t) => JSON.stringify(t.meta ?? {}))}::jsonb[],
            ${c.map((t) => t.fingerprint)}::text[], ${c.map((t) => iso(t.created_at))}::timestamptz[])
          RETURNING id, seq`.execute(trx);
        seqs = new Map(r.rows.map((x) => [x.id, x.seq]));
      }
      if (w.accounts.length) {
        const r = await sql`
          UPDATE ledger_accounts a SET debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dq, credits_pending = v.cq
          FROM unnest(${w.accounts.map((b) => b.row.id)}::uuid[], ${w.accounts.map((b) => b.dp)}::bigint[], ${w.accounts.map((b) => b.cp)}::bigint[],
                      ${w.accounts.map((b) => b.dq)}::bigint[], ${w.accounts.map((b) => b.cq)}::bigint[]) AS v(id, dp, cp, dq, cq)
          WHERE a.id = v.id`.execute(trx);
        // Every row was locked before we computed it: anything else is a bug, and the transaction must not commit.
        if (Number(r.numAffectedRows) !== w.accounts.length) throw new Error(`ledger write mismatch: ${r.numAffectedRows}/${w.accounts.length} accounts`);
      }
      if (w.pendingState.size) {
        const r = await sql`
          UPDATE ledger_transfers t SET state = v.state
          FROM unnest(${[...w.pendingState.keys()]}::uuid[], ${[...w.pendingState.values()]}::text[]) AS v(id, state)
          WHERE t.id = v.id AND t.state = 'pending'`.execute(trx);
        if (Number(r.numAffectedRows) !== w.pendingState.size)
          throw new Error(`ledger write mismatch: ${r.numAffectedRows}/${w.pendingState.size} pending states`);
      }
      if (w.failures.length)
        await sql`
          INSERT INTO ledger_failed_transfers (id, error, fingerprint, created_at)
          SELECT f.id, f.error, f.fingerprint, ${new Date().toISOString()}::timestamptz
            FROM unnest(${w.failures.map((f) => f.id)}::uuid[], ${w.failures.map((f) => f.error)}::text[], ${w.failures.map((f) => f.fingerprint)}::text[]) AS f(id, error, fingerprint)
          ON CONFLICT (id) DO NOTHING`.execute(trx);
      return seqs;
    },
    async ensureAccount(a: {
      id: string;
      asset: AccountRow['asset'];
      kind: string;
      ownerId: string | null;
      d: boolean;
      c: boolean;
      at: Date;
    }): Promise<AccountRow> {
      const ins = await db
        .insertInto('ledger_accounts')
        .values({
          id: a.id,
          asset: a.asset,
          kind: a.kind,
          owner_id: a.ownerId,
          debits_must_not_exceed_credits: a.d,
          credits_must_not_exceed_debits: a.c,
          created_at: a.at,
        })
        .onConflict((oc) => oc.columns(['asset', 'kind', 'owner_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (ins) return ins;
      const found = await this.findAccount(a.asset, a.kind, a.ownerId);
      if (!found) throw new Error('ledger account vanished after a conflicting insert');
      return found;
    },
    async findAccount(asset: AccountRow['asset'], kind: string, ownerId: string | null): Promise<AccountRow | undefined> {
      return db
        .selectFrom('ledger_accounts')
        .selectAll()
        .where('asset', '=', asset)
        .where('kind', '=', kind)
        .where((eb) => (ownerId === null ? eb('owner_id', 'is', null) : eb('owner_id', '=', ownerId)))
        .executeTakeFirst();
    },
    async accountById(id: string): Promise<AccountRow | undefined> {
      return db.selectFrom('ledger_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async accountWithOwner(id: string): Promise<AccountWithOwner | undefined> {
      return db
        .selectFrom('ledger_accounts as a')
        .leftJoin('users as u', 'u.id', 'a.owner_id')
        .selectAll('a')
        .select('u.username as owner_username')
        .where('a.id', '=', id)
        .executeTakeFirst();
    },
    async transferById(id: string): Promise<TransferRow | undefined> {
      return db.selectFrom('ledger_transfers').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** The post or void of a pending transfer, if any. */
    async resolutionOf(pendingId: string): Promise<TransferRow | undefined> {
      return db.selectFrom('ledger_transfers').selectAll().where('pending_id', '=', pendingId).executeTakeFirst();
    },
    /** Newest first, by commit order. */
    async transfers(q: { accountId?: string; code?: string; limit?: number; cursor?: string }): Promise<{ items: TransferRow[]; nextCursor: string | null }> {
      const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
      const c = decodeCursor(q.cursor, isSeqCursor);
      let qb = db.selectFrom('ledger_transfers').selectAll();
      if (q.accountId) {
        const acc = q.accountId;
        qb = qb.where((eb) => eb.or([eb('debit_account_id', '=', acc), eb('credit_account_id', '=', acc)]));
      }
      if (q.code) qb = qb.where('code', '=', q.code);
      if (c) qb = qb.where('seq', '<', c.s);
      const rows = await qb
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? encodeCursor({ s: items.at(-1)!.seq }) : null };
    },
    /** Staff search: by owner username (prefix), owner id or account id, kind and asset; newest first. */
    async searchAccounts(q: { q?: string; kind?: string; asset?: AccountRow['asset']; limit?: number; cursor?: string }) {
      const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
      const c = decodeCursor(q.cursor, isAccCursor);
      let qb = db.selectFrom('ledger_accounts as a').leftJoin('users as u', 'u.id', 'a.owner_id').selectAll('a').select('u.username as owner_username');
      const text = q.q?.trim().toLowerCase();
      if (text) {
        if (/^[0-9a-f-]{36}$/.test(text)) qb = qb.where((eb) => eb.or([eb('a.id', '=', text), eb('a.owner_id', '=', text)]));
        else qb = qb.where(sql<boolean>`lower(u.username) LIKE ${text.replace(/[\\%_]/g, (m) => `\\${m}`) + '%'}`);
      }
      if (q.kind) qb = qb.where('a.kind', '=', q.kind);
      if (q.asset) qb = qb.where('a.asset', '=', q.asset);
      if (c) qb = qb.where((eb) => eb.or([eb('a.created_at', '<', new Date(c.t)), eb.and([eb('a.created_at', '=', new Date(c.t)), eb('a.id', '<', c.id)])]));
      const rows: AccountWithOwner[] = await qb
        .orderBy('a.created_at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor({ t: last.created_at.toISOString(), id: last.id }) : null };
    },
    /** Credits to (and reversals out of) platform_revenue accounts, per UTC day and asset. */
    async revenueByDay(since: Date) {
      const r = await sql<{ day: string; asset: AccountRow['asset']; credited: number; debited: number }>`
        SELECT to_char(date_trunc('day', t.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, a.asset,
               COALESCE(SUM(t.amount) FILTER (WHERE t.credit_account_id = a.id), 0)::bigint AS credited,
               COALESCE(SUM(t.amount) FILTER (WHERE t.debit_account_id = a.id), 0)::bigint AS debited
          FROM ledger_accounts a
          JOIN ledger_transfers t ON (t.credit_account_id = a.id OR t.debit_account_id = a.id)
         WHERE a.kind = 'platform_revenue' AND t.kind IN ('single', 'post') AND t.created_at >= ${since.toISOString()}::timestamptz
         GROUP BY 1, 2
         ORDER BY 1 DESC, 2`.execute(db);
      return r.rows;
    },
    async saveReconciliation(ok: boolean, report: unknown) {
      await db
        .insertInto('ledger_reconciliations')
        .values({ ok, report: JSON.stringify(report) })
        .execute();
      // Keep the last 100 reports.
      await sql`DELETE FROM ledger_reconciliations WHERE id <= (SELECT max(id) - 100 FROM ledger_reconciliations)`.execute(db);
    },
    async lastReconciliation(): Promise<{ ok: boolean; report: unknown; created_at: Date } | undefined> {
      return db.selectFrom('ledger_reconciliations').select(['ok', 'report', 'created_at']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    },
  };
}

export type LedgerRepo = ReturnType<typeof createLedgerRepo>;
