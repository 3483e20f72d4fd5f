// Serving-cost micro-benchmark of the MF model: `node server/src/recsys/bench.ts [items] [factors]`.
// Scores every item for a user with a plain dot-product loop, then selects the top k; also times
// online updates. Figures are recorded in README.md.
import { ImplicitMF } from './mf.ts';
import { createRng } from './rng.ts';
import { topKIndices } from './top-k.ts';

const items = Number(process.argv[2] ?? 100_000);
const factors = Number(process.argv[3] ?? 64);
const rng = createRng(1);
const mf = new ImplicitMF({ factors });
const prior = new Float32Array(factors);
const t0 = performance.now();
for (let i = 0; i < items; i++) {
  for (let a = 0; a < factors; a++) prior[a] = rng.normal() * 0.1;
  mf.initItem(`video-${i}`, prior);
}
const buildMs = performance.now() - t0;
for (let i = 0; i < 50; i++) mf.observe('viewer', `video-${rng.int(items)}`);
for (let i = 0; i < 1000; i++) mf.observe('binger', `video-${rng.int(items)}`);
const exclude = new Set(mf.history('viewer').keys());

function time(label: string, runs: number, fn: () => void): void {
  fn(); // warm-up: let V8 optimise before measuring
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(runs / 2)]!;
  const p90 = samples[Math.floor(runs * 0.9)]!;
  console.log(`${label.padEnd(44)} median ${median.toFixed(3)} ms   p90 ${p90.toFixed(3)} ms`);
}

console.log(`${items} items × ${factors} factors (built in ${buildMs.toFixed(0)} ms), node ${process.version}`);
const u = mf.users.get('viewer')!;
const out = new Float32Array(items);
time('scoreIndex (dot products only)', 50, () => mf.scoreIndex(u, out));
time('topKIndices k=100 over scores', 50, () => topKIndices(out, 100));
time('topK(user, 100, exclude 50 seen)', 50, () => mf.topK('viewer', 100, exclude));
time('observe, user with 50 events (Cholesky)', 200, () => mf.observe('viewer', `video-${rng.int(items)}`));
time('observe, user with 1000 events (warm CG)', 200, () => mf.observe('binger', `video-${rng.int(items)}`));
time('similarItems(item, 20)', 20, () => mf.similarItems('video-1', 20));
const t1 = performance.now();
const bytes = mf.serialize();
const serMs = performance.now() - t1;
const t2 = performance.now();
ImplicitMF.deserialize(bytes);
console.log(`serialize ${(bytes.length / 2 ** 20).toFixed(1)} MiB in ${serMs.toFixed(0)} ms, deserialize in ${(performance.now() - t2).toFixed(0)} ms`);
