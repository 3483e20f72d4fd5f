import crypto from 'node:crypto';
import { createScratchDatabase } from '../../platform/db/db.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation, type SimTarget } from './simulation/simulator.ts';

/** A seeded, randomized run of the coin economy against the ledger in a child process that is SIGKILLed and restarted (see simulator.ts). */
const SEED = Number(process.env.LEDGER_SIM_SEED ?? crypto.randomInt(1, 2 ** 31));

async function scratchTarget(): Promise<{ target: SimTarget; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'flick_sim');
    return { target: { kind: 'postgres', url: scratch.url }, drop: () => scratch.drop() };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flick-ledger-sim-'));
  return { target: { kind: 'pglite', dataDir: dir }, drop: () => fs.rm(dir, { recursive: true, force: true }) };
}

test(`ledger simulation: 20,000 operations, 6 SIGKILLs, zero violations (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, seed ${SEED})`, async () => {
  const s = await scratchTarget();
  try {
    const report = await runSimulation({
      target: s.target,
      seed: SEED,
      operations: Number(process.env.LEDGER_SIM_OPS ?? 20_000),
      kills: 6,
      log: process.env.LEDGER_SIM_VERBOSE ? (l) => console.log(l) : undefined,
    });
    console.log(JSON.stringify({ ...report, violations: report.violations.length }));
    assert.deepEqual(report.violations, [], `seed ${SEED}: rerun with LEDGER_SIM_SEED=${SEED}`);
    assert.ok(report.operations >= 20_000 || process.env.LEDGER_SIM_OPS);
    assert.ok(report.kills >= 5, `only ${report.kills} kills`);
    assert.ok(report.resentAfterKill > 0, 'some batches were cut off by a kill and sent again');
    assert.ok(report.retriedTransfers > 0 && report.expectedFailures > 0 && report.expired > 0);
  } finally {
    await s.drop();
  }
});
