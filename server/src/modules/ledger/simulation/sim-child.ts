/**
 * The ledger in its own process, for the crash simulation: `node sim-child.ts '<target json>'`.
 * Reads one JSON request per line on stdin, answers one JSON line per request on stdout (requests run
 * concurrently). The parent kills it with SIGKILL at random points and starts it again on the same data.
 */
import readline from 'node:readline';
import { sql } from 'kysely';
import { migrate, openDb } from '../../../platform/db/db.ts';
import { createLedgerService, type Asset, type AccountFlags, type TransferRequest } from '../ledger.service.ts';

export type SimTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
export type ChildRequest =
  | { rid: number; op: 'ensureAccount'; now: string; a: { asset: Asset; kind: string; ownerId: string | null; flags?: AccountFlags } }
  | { rid: number; op: 'createTransfers'; now: string; batch: TransferRequest[] }
  | { rid: number; op: 'expirePending'; now: string }
  | { rid: number; op: 'check'; now: string; full: boolean };

const target = JSON.parse(process.argv[2] ?? '{}') as SimTarget;
const dbh = target.kind === 'pglite' ? await openDb({ kind: 'pglite', dataDir: target.dataDir }) : await openDb({ kind: 'postgres', url: target.url, max: 8 });
await migrate(dbh.pool);
let now = new Date();
const ledger = createLedgerService({ db: dbh.db, clock: { now: () => now } });

const send = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function handle(m: ChildRequest): Promise<unknown> {
  const at = new Date(m.now);
  if (at > now) now = at;
  switch (m.op) {
    case 'ensureAccount':
      return ledger.ensureAccount(m.a);
    case 'createTransfers':
      return ledger.createTransfers(m.batch);
    case 'expirePending':
      return ledger.expirePending(at);
    case 'check': {
      const accounts = await dbh.db
        .selectFrom('ledger_accounts')
        .select(['id', 'asset', 'debits_must_not_exceed_credits', 'debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'])
        .execute();
      const report = m.full ? await ledger.reconcile() : null;
      const dups = m.full
        ? (
            await sql<{ op: string; leg: string; n: number }>`SELECT meta->>'op' AS op, meta->>'leg' AS leg, count(*) AS n FROM ledger_transfers
              GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 20`.execute(dbh.db)
          ).rows
        : [];
      return { accounts, report, dups };
    }
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const m = JSON.parse(line) as ChildRequest;
  handle(m).then(
    (result) => send({ rid: m.rid, result }),
    (err: unknown) => send({ rid: m.rid, error: (err as Error).message }),
  );
});
rl.on('close', () => void dbh.close().then(() => process.exit(0)));
send({ ready: true });
