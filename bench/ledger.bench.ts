/**
 * The ledger: gifts (a linked pair: wallet → platform revenue, diamond issuance → creator) per second,
 * one client at a time and many concurrent clients through submit() (which groups concurrent callers
 * into one database transaction per round trip, TigerBeetle-style), on PGlite and on PostgreSQL; p99
 * latency of a gift. `--sim-ops=N` also runs the ledger's crash simulation (SIGKILLs included) for N operations;
 * `--wallet-sim-ops=N` the wallet's (real purchase, webhook, gift, refund and cash-out flows over the ledger, with kills)
 * on PGlite and, when reachable, PostgreSQL (`--wallet-sim-engines=pglite,postgres`). `--throughput=0` skips the gift
 * throughput runs (to run only simulations).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, migrate, openDb, type DbHandle } from '../server/src/platform/db/db.ts';
import { createLedgerService, type LedgerService, type TransferRequest } from '../server/src/modules/ledger/ledger.service.ts';
import { runSimulation, type SimTarget } from '../server/src/modules/ledger/simulation/simulator.ts';
import { runWalletSimulation } from '../server/src/modules/wallet/simulation/wallet-simulator.ts';
import { parseArgs, percentile, round, targetLine, type BenchResult } from './lib/report.ts';

export const description = 'ledger: linked gift pairs/s (single and concurrent clients, PGlite and PostgreSQL), gift p99, crash simulation';

const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

async function scratchPg(): Promise<{ dbh: DbHandle; drop(): Promise<void> } | undefined> {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  try {
    scratch = await createScratchDatabase(PG_ADMIN, 'flick_bench_ledger');
  } catch (err) {
    console.log(`PostgreSQL not reachable at ${PG_ADMIN} (${(err as Error).message}); skipping it`);
    return undefined;
  }
  const dbh = await openDb({ kind: 'postgres', url: scratch.url, max: 16 });
  return {
    dbh,
    async drop() {
      await dbh.close();
      await scratch.drop();
    },
  };
}

type Run = { giftsPerSecond: number; p50Ms: number; p99Ms: number; avgBatchGifts: number };

async function measure(dbh: DbHandle, seconds: number, levels: number[]): Promise<{ single: Run; concurrent: Run; levels: Record<string, Run> }> {
  await migrate(dbh.pool);
  const ledger: LedgerService = createLedgerService({ db: dbh.db, clock: { now: () => new Date() } });
  const revenue = await ledger.ensureAccount({ asset: 'COIN', kind: 'platform_revenue' });
  const issuance = await ledger.ensureAccount({ asset: 'COIN', kind: 'coin_issuance' });
  const dIssuance = await ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
  const fans = await Promise.all(
    Array.from({ length: 500 }, () =>
      ledger.ensureAccount({ asset: 'COIN', kind: 'wallet', ownerId: crypto.randomUUID(), flags: { debitsMustNotExceedCredits: true } }),
    ),
  );
  const creators = await Promise.all(
    Array.from({ length: 50 }, () =>
      ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: crypto.randomUUID(), flags: { debitsMustNotExceedCredits: true } }),
    ),
  );
  await ledger.createTransfers(
    fans.map((f) => ({ id: crypto.randomUUID(), debitAccountId: issuance.id, creditAccountId: f.id, amount: 10_000_000, code: 'coin_purchase' })),
  );
  let k = 0;
  const gift = (): TransferRequest[] => {
    const fan = fans[k % fans.length]!;
    const creator = creators[k++ % creators.length]!;
    return [
      { id: crypto.randomUUID(), debitAccountId: fan.id, creditAccountId: revenue.id, amount: 10, code: 'gift', linked: true },
      { id: crypto.randomUUID(), debitAccountId: dIssuance.id, creditAccountId: creator.id, amount: 5, code: 'gift_earning' },
    ];
  };
  const loop = async (n: number, send: (b: TransferRequest[]) => Promise<{ status: string }[]>): Promise<Run> => {
    const lat: number[] = [];
    const s0 = ledger.stats();
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          const r = await send(gift());
          lat.push(performance.now() - s);
          if (r.some((x) => x.status !== 'created')) throw new Error(`a gift failed: ${JSON.stringify(r)}`);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const s1 = ledger.stats();
    lat.sort((a, b) => a - b);
    return {
      giftsPerSecond: Math.round(lat.length / secs),
      p50Ms: round(percentile(lat, 50)),
      p99Ms: round(percentile(lat, 99)),
      avgBatchGifts: round((s1.transfers - s0.transfers) / 2 / Math.max(1, s1.batches - s0.batches), 1),
    };
  };
  const single = await loop(1, (b) => ledger.createTransfers(b));
  const byLevel: Record<string, Run> = {};
  for (const n of levels) byLevel[n] = await loop(n, (b) => ledger.submit(b));
  const concurrent = byLevel[levels[0]!]!;
  const report = await ledger.reconcile();
  if (!report.ok) throw new Error(`reconcile failed after the bench: ${JSON.stringify(report.violations.slice(0, 3))}`);
  return { single, concurrent, levels: byLevel };
}

export async function run(args: string[]): Promise<BenchResult> {
  const a = parseArgs(args);
  const seconds = Number(a.seconds ?? 8);
  const levels = String(a.clients ?? '64,256')
    .split(',')
    .map(Number);
  const clients = levels[0]!;
  const simOps = Number(a['sim-ops'] ?? 0);
  const walletSimOps = Number(a['wallet-sim-ops'] ?? 0);
  const throughput = a.throughput !== '0';
  console.log(`load average before: ${os.loadavg()[0]!.toFixed(2)} (2 cores shared: other work lowers these figures)`);
  const result: BenchResult = { bench: 'ledger', seconds, clients: levels };
  const line = (engine: string, r: { single: Run; levels: Record<string, Run> }) => {
    console.log(`${engine} single client:  ${r.single.giftsPerSecond} gifts/s, p50 ${r.single.p50Ms} ms, p99 ${r.single.p99Ms} ms`);
    for (const [n, c] of Object.entries(r.levels))
      console.log(
        `${engine} ${n} clients via submit(): ${c.giftsPerSecond} gifts/s, p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, average batch ${c.avgBatchGifts} gifts`,
      );
  };
  if (throughput) {
    const dbh = await openDb({ kind: 'pglite' });
    try {
      const r = await measure(dbh, seconds, levels);
      line('PGlite', r);
      result.pglite = r;
    } finally {
      await dbh.close();
    }
  }
  const scratch = throughput ? await scratchPg() : undefined;
  if (scratch) {
    try {
      const r = await measure(scratch.dbh, seconds, levels);
      line('PostgreSQL', r);
      result.postgres = r;
      const met = { throughput: r.concurrent.giftsPerSecond >= 5000, p99: r.concurrent.p99Ms <= 20 };
      console.log(
        `target ≥ 5,000 gifts/s on PostgreSQL with batching (${clients} clients): ${met.throughput ? 'met' : 'missed'} (${r.concurrent.giftsPerSecond})`,
      );
      console.log(targetLine(`gift p99 (PostgreSQL, batched, ${clients} clients)`, r.concurrent.p99Ms, 20, 'ms'));
      result.met = met;
    } finally {
      await scratch.drop();
    }
  }
  if (simOps) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flick-ledger-bench-sim-'));
    try {
      const sim = await runSimulation({
        target: { kind: 'pglite', dataDir: dir },
        seed: crypto.randomInt(1, 2 ** 31),
        operations: simOps,
        kills: Math.max(5, Math.round(simOps / 4000)),
      });
      console.log(
        `simulation: ${sim.operations} operations, ${sim.kills} SIGKILLs, ${sim.violations.length} violations in ${sim.seconds} s (seed ${sim.seed})`,
      );
      result.simulation = { ...sim, violations: sim.violations.length };
      if (sim.violations.length) throw new Error(`simulation found violations: ${sim.violations[0]}`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  if (walletSimOps) {
    const engines = String(a['wallet-sim-engines'] ?? 'pglite,postgres').split(',');
    const runs: Record<string, unknown> = {};
    for (const engine of engines) {
      let target: SimTarget;
      let drop: () => Promise<void>;
      if (engine === 'postgres') {
        let scratchDb: Awaited<ReturnType<typeof createScratchDatabase>>;
        try {
          scratchDb = await createScratchDatabase(PG_ADMIN, 'flick_bench_wsim');
        } catch (err) {
          console.log(`PostgreSQL not reachable at ${PG_ADMIN} (${(err as Error).message}); no wallet simulation on it`);
          continue;
        }
        target = { kind: 'postgres', url: scratchDb.url };
        drop = () => scratchDb.drop();
      } else {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flick-ledger-bench-wsim-'));
        target = { kind: 'pglite', dataDir: dir };
        drop = () => fs.rm(dir, { recursive: true, force: true });
      }
      try {
        const sim = await runWalletSimulation({
          target,
          seed: Number(a['wallet-sim-seed'] ?? crypto.randomInt(1, 2 ** 31)),
          operations: walletSimOps,
          kills: Math.max(5, Math.round(walletSimOps / 2000)),
          log: (l) => console.log(`  ${l}`),
        });
        console.log(
          `wallet simulation (${engine}): ${sim.operations} operations (${sim.purchases} purchases, ${sim.gifts} gifts, ${sim.webhooks} webhooks, ` +
            `${sim.refunds + sim.chargebacks} reversals, ${sim.payoutsPaid + sim.payoutsRejected + sim.payoutsExpired} payouts settled), ` +
            `${sim.kills} SIGKILLs, ${sim.violations.length} violations in ${sim.seconds} s (seed ${sim.seed})`,
        );
        runs[engine] = { ...sim, violations: sim.violations.length };
        if (sim.violations.length) throw new Error(`wallet simulation found violations: ${sim.violations[0]}`);
      } finally {
        await drop();
      }
    }
    result.walletSimulation = runs;
  }
  return result;
}
