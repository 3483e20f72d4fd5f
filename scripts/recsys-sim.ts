// Seeded user simulation of short-video feeds: random vs popular vs the live engine ("ours").
//   node scripts/recsys-sim.ts [--users 400] [--days 7] [--seed 1] [--out results.json]
//        [--videos 3000] [--creators 300] [--topics 30] [--warmup 200] [--broad-appeal 0.35] [--policies random,popular,ours]
// Model and caveats: server/src/recsys/sim/simulator.ts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, POLICIES, simulateAll, type PolicyName, type SimConfig } from '../server/src/recsys/sim/simulator.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    videos: { type: 'string' },
    creators: { type: 'string' },
    topics: { type: 'string' },
    warmup: { type: 'string' },
    'broad-appeal': { type: 'string' },
    policies: { type: 'string' },
  },
});

const num = (name: string, v: string | undefined, fallback: number, min = 0) => {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min) {
    console.error(`--${name} must be a number >= ${min}`);
    process.exit(2);
  }
  return x;
};

const cfg: SimConfig = {
  ...DEFAULT_CONFIG,
  users: num('users', values.users, DEFAULT_CONFIG.users, 1),
  days: num('days', values.days, DEFAULT_CONFIG.days, 1),
  seed: num('seed', values.seed, DEFAULT_CONFIG.seed),
  videos: num('videos', values.videos, DEFAULT_CONFIG.videos, 10),
  creators: num('creators', values.creators, DEFAULT_CONFIG.creators, 1),
  topics: num('topics', values.topics, DEFAULT_CONFIG.topics, 1),
  warmupUsers: num('warmup', values.warmup, DEFAULT_CONFIG.warmupUsers),
  broadAppeal: num('broad-appeal', values['broad-appeal'], DEFAULT_CONFIG.broadAppeal),
};
const policies = (values.policies?.split(',') ?? POLICIES) as PolicyName[];
for (const p of policies)
  if (!POLICIES.includes(p)) {
    console.error(`unknown policy ${p} (expected ${POLICIES.join(', ')})`);
    process.exit(2);
  }

const results = simulateAll(cfg, policies);
const f = (x: number, d = 2) => x.toFixed(d);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `users=${cfg.users} days=${cfg.days} seed=${cfg.seed} videos=${cfg.videos} creators=${cfg.creators} topics=${cfg.topics} warmup=${cfg.warmupUsers} broadAppeal=${cfg.broadAppeal}`,
);
console.table(
  Object.fromEntries(
    results.map((m) => [
      m.policy,
      {
        'watch h': f(m.totalWatchHours, 1),
        'min/session': f(m.meanSessionMinutes),
        'videos/session': f(m.meanSessionVideos, 1),
        sessions: m.sessions,
        skip: pct(m.skipRate),
        complete: pct(m.completionRate),
        [`day-${cfg.days} ret`]: pct(m.retentionLastDay),
        coverage: pct(m.coverage),
        s: f(m.seconds, 1),
      },
    ]),
  ),
);
const base = results.find((m) => m.policy === 'random');
if (base)
  for (const m of results)
    if (m !== base)
      console.log(
        `${m.policy} vs random: watch ×${f(m.totalWatchHours / base.totalWatchHours)}, min/session ×${f(m.meanSessionMinutes / base.meanSessionMinutes)}, ` +
          `day-${cfg.days} retention ×${base.retentionLastDay ? f(m.retentionLastDay / base.retentionLastDay) : '∞'}`,
      );
for (const m of results) console.log(`${m.policy} active users by day: ${m.activeByDay.join(' ')}`);
if (values.out) {
  writeFileSync(values.out, JSON.stringify({ config: cfg, results }, null, 2) + '\n');
  console.log(`wrote ${values.out}`);
}
