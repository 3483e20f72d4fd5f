/**
 * Ad decisions: latency and throughput of the ad server's auction with 10,000 active ad groups
 * (targeting, caps, pacing, budgets), and the seeded market simulation's correctness figures.
 *   npm run bench -- ads [--groups=10000] [--decisions=50000]
 */
import os from 'node:os';
import { makeMarket, runMarket } from '../server/src/modules/ads/engine/market-sim.ts';
import { parseArgs, percentile, round, targetLine, type BenchResult } from './lib/report.ts';

export const description = 'ad auction: decision p99 and decisions/s with 10k active ad groups; market simulation bounds';

export async function run(args: string[]): Promise<BenchResult> {
  const a = parseArgs(args);
  const groupsWanted = Number(a.groups ?? 10_000);
  const decisions = Number(a.decisions ?? 50_000);
  const perAdvertiser = 4;
  const start = Date.UTC(2026, 10, 2, 12);
  // Budgets large enough that every group stays in the auction for the whole run.
  const m = makeMarket(
    { seed: 11, advertisers: Math.ceil(groupsWanted / perAdvertiser), groupsPerAdvertiser: perAdvertiser, users: 20_000, days: 1, budgetScale: 1000 },
    start,
  );
  console.log(`ad server: ${m.server.size} active ad groups, ${m.viewers.length} people, ${os.cpus().length} CPUs`);

  // Warm up (JIT, pacing state), then time each decision.
  for (let i = 0; i < 2000; i++) m.server.decide(m.viewers[i % m.viewers.length]!, start + i * 10, m.rand);
  const lat = new Float64Array(decisions);
  let filled = 0;
  let eligibleSum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < decisions; i++) {
    const v = m.viewers[Math.floor(m.rand() * m.viewers.length)]!;
    const s = process.hrtime.bigint();
    const d = m.server.decide(v, start + 20_000 + i * 10, m.rand);
    lat[i] = Number(process.hrtime.bigint() - s) / 1e6;
    if (d) {
      filled++;
      eligibleSum += d.eligible;
    }
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const sorted = [...lat].sort((x, y) => x - y);
  const p50 = round(percentile(sorted, 50), 3);
  const p99 = round(percentile(sorted, 99), 3);
  const perSecond = Math.round(decisions / wallS);
  console.log(`decisions: ${decisions} in ${round(wallS)} s = ${perSecond}/s; p50 ${p50} ms, p99 ${p99} ms, max ${round(sorted.at(-1)!, 2)} ms`);
  console.log(
    `filled ${round((filled / decisions) * 100, 1)} % of slots; ${Math.round(eligibleSum / Math.max(1, filled))} eligible ad groups per filled slot on average`,
  );
  console.log(targetLine('decision p99', p99, 3, 'ms'));
  console.log(`target ≥ 5000 decisions/s: ${perSecond >= 5000 ? 'met' : `missed by ${5000 - perSecond}/s`}`);

  const days = Number(a.days ?? 3);
  const t1 = Date.now();
  const market = runMarket({ seed: 7, advertisers: 60, groupsPerAdvertiser: 4, users: 1500, days, slotsPerUserPerDay: 25 });
  console.log(`\nmarket simulation: ${market.decisions} ad slots over ${days} days, ${round((Date.now() - t1) / 1000)} s`);
  console.log(`  fill ${round(market.fillRate * 100, 1)} %, spend $${round(market.spendUsd)}`);
  console.log(
    `  overspend: max ${market.maxOverspendMicros} µ$ (bound: one price, max price ${market.maxPriceMicros} µ$); violations ${market.overspendViolations}`,
  );
  console.log(
    `  balance violations ${market.balanceViolations}, frequency-cap violations ${market.frequencyCapViolations}, targeting violations ${market.targetingViolations}, restricted ads to minors ${market.restrictedToMinors}`,
  );
  console.log(
    `  pacing error (smooth daily groups, last day, vs that day's traffic curve): ${round(market.pacingError * 100, 1)} % of budget over ${market.pacedGroups} groups`,
  );
  return {
    bench: 'ads',
    groups: m.server.size,
    decisions,
    decisionsPerSecond: perSecond,
    p50Ms: p50,
    p99Ms: p99,
    fillRate: round(filled / decisions, 3),
    met: { p99: p99 <= 3, throughput: perSecond >= 5000 },
    market: {
      ...market,
      pacingError: round(market.pacingError, 4),
      smoothSpentShare: round(market.smoothSpentShare, 3),
      fastSpentShare: round(market.fastSpentShare, 3),
    },
  };
}
