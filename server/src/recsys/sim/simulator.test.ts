import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, mulberry32, simulate, simulateAll, type SimConfig } from './simulator.ts';

const tiny: SimConfig = { ...DEFAULT_CONFIG, users: 60, days: 4, videos: 600, creators: 60, topics: 12, warmupUsers: 40, maxSessionVideos: 40 };

test('mulberry32 is deterministic and uniform-ish', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean > 0.45 && mean < 0.55);
});

test('same seed → same numbers', () => {
  const strip = (m: ReturnType<typeof simulate>) => ({ ...m, seconds: 0 });
  for (const p of ['random', 'popular', 'ours'] as const) assert.deepEqual(strip(simulate(p, tiny)), strip(simulate(p, tiny)));
  assert.notDeepEqual(strip(simulate('random', tiny)), strip(simulate('random', { ...tiny, seed: 2 })));
});

test('ours > popular > random on total watch time (tiny config, three seeds)', () => {
  for (const seed of [1, 2, 3]) {
    const [random, popular, ours] = simulateAll({ ...tiny, seed });
    assert.ok(popular!.totalWatchHours > random!.totalWatchHours, `seed ${seed}: popular ${popular!.totalWatchHours} <= random ${random!.totalWatchHours}`);
    assert.ok(ours!.totalWatchHours > popular!.totalWatchHours, `seed ${seed}: ours ${ours!.totalWatchHours} <= popular ${popular!.totalWatchHours}`);
    assert.equal(random!.activeByDay[0], tiny.users);
  }
});
