import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdServer, targets } from './ad-server.ts';
import { actionRate, predictView6s, PRIORS } from './predict.ts';
import { runMarket } from './market-sim.ts';
import type { AdGroupConfig, Viewer } from './types.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const viewer = (over: Partial<Viewer> = {}): Viewer => ({
  id: 'u1',
  ageBand: '25-34',
  isMinor: false,
  country: 'US',
  interests: new Set(['cats']),
  engagedHashtags: new Set(),
  audiences: new Set(),
  ...over,
});
const group = (id: string, over: Partial<AdGroupConfig> = {}): AdGroupConfig => ({
  id,
  campaignId: `c-${id}`,
  advertiserId: `a-${id}`,
  billing: 'CPM',
  strategy: 'bid_cap',
  bidMicros: 10_000_000,
  budgetMicros: 100_000_000,
  budgetPeriod: 'daily',
  pacing: 'fast',
  startAt: T0 - 3_600_000,
  endAt: null,
  targeting: {},
  frequencyCap: null,
  restricted: false,
  ads: [{ id: `ad-${id}`, videoId: `v-${id}` }],
  ...over,
});
function server(groups: AdGroupConfig[], balanceMicros = 1_000_000_000) {
  const s = createAdServer();
  for (const g of groups) {
    s.upsert(g, T0);
    s.setBalance(g.advertiserId, balanceMicros);
  }
  return s;
}

describe('ad server: auction', () => {
  test('second price: the winner pays just above the runner-up, per impression for CPM', () => {
    const s = server([group('hi', { bidMicros: 10_000_000 }), group('lo', { bidMicros: 6_000_000 })]);
    const d = s.decide(viewer(), T0)!;
    assert.equal(d.adGroupId, 'hi');
    assert.equal(d.priceMicros, 6_001); // $6 CPM = 6,000 µ$ an impression, +1
    assert.equal(d.holdId, null);
    assert.equal(s.report('hi')!.spentMicros, 6_001);
    assert.ok(s.report('lo')!.minBidToWinMicros! > 10_000_000, 'the loser learns what it would have taken to win');
  });

  test('alone in the auction the winner pays the reserve; a bid under the reserve never serves', () => {
    const s = server([group('only', { bidMicros: 10_000_000 })]);
    assert.equal(s.decide(viewer(), T0)!.priceMicros, s.options.reserveMicrosPerImpression);
    const cheap = server([group('cheap', { bidMicros: 500_000 })]); // $0.50 CPM < $1 reserve
    assert.equal(cheap.decide(viewer(), T0), null);
  });

  test('targeting, schedule and restricted categories decide who is eligible', () => {
    const s = server([
      group('de', { targeting: { countries: ['DE'] } }),
      group('dogs', { targeting: { interests: ['dogs'] } }),
      group('later', { startAt: T0 + 3_600_000 }),
      group('ended', { endAt: T0 - 1 }),
      group('beer', { restricted: true, bidMicros: 5_000_000 }),
    ]);
    assert.equal(s.decide(viewer(), T0)!.adGroupId, 'beer');
    assert.equal(s.decide(viewer({ id: 'kid', ageBand: '13-17', isMinor: true }), T0), null, 'a restricted ad never reaches a minor');
    assert.equal(s.decide(viewer({ country: 'DE', interests: new Set(['dogs']) }), T0)!.adGroupId, 'de');
  });

  test('frequency cap: at most N impressions per person per D days', () => {
    const s = server([group('cap', { frequencyCap: { max: 2, days: 1 } })]);
    assert.ok(s.decide(viewer(), T0));
    assert.ok(s.decide(viewer(), T0 + 1000));
    assert.equal(s.decide(viewer(), T0 + 2000), null);
    assert.ok(s.decide(viewer({ id: 'u2' }), T0 + 2000), 'another person still sees it');
    assert.ok(s.decide(viewer(), T0 + 86_400_000 + 1), 'a day later the window has moved');
  });

  test('CPC: a hold at the impression, charged on the click, released when the click window passes', () => {
    const s = server([group('cpc', { billing: 'CPC', bidMicros: 500_000, budgetMicros: 1_000_000 })]);
    const d = s.decide(viewer(), T0)!;
    assert.ok(d.holdId);
    assert.equal(d.holdMicros, d.priceMicros);
    assert.equal(s.report('cpc')!.heldMicros, d.priceMicros);
    const paid = s.outcome(d.holdId, 'cpc', 'click')!;
    assert.equal(paid.amountMicros, d.priceMicros);
    assert.equal(s.report('cpc')!.spentMicros, d.priceMicros);
    assert.equal(s.outcome(d.holdId, 'cpc', 'click'), null, 'a second click on the same impression is not billed');
    const d2 = s.decide(viewer({ id: 'u2' }), T0 + 10)!;
    assert.equal(s.expireHolds(T0 + 10 + s.options.clickWindowMs).length, 1);
    assert.equal(s.report('cpc')!.heldMicros, 0);
    assert.equal(s.outcome(d2.holdId, 'cpc', 'click'), null, 'a click after the window is not billed');
  });

  test('budget and balance: never overspent, holds count against both', () => {
    const s = server([group('small', { budgetMicros: 20_000, bidMicros: 10_000_000 })]);
    let n = 0;
    while (s.decide(viewer({ id: `u${n}` }), T0 + n)) n++;
    const r = s.report('small')!;
    assert.ok(r.spentMicros <= 20_000, `spent ${r.spentMicros}`);
    assert.ok(n > 0);
    const poor = server([group('poor', { billing: 'CPC', bidMicros: 400_000 })], 1_000_000);
    let holds = 0;
    while (poor.decide(viewer({ id: `p${holds}` }), T0 + holds)) holds++;
    const b = poor.balance('a-poor')!;
    assert.ok(b.held <= b.available, 'holds never exceed the balance');
    assert.ok(holds >= 1);
  });

  test('daily budgets start again the next day', () => {
    const s = server([group('daily', { budgetMicros: 10_000, bidMicros: 10_000_000 })]);
    let n = 0;
    while (s.decide(viewer({ id: `u${n}` }), T0 + n)) n++;
    assert.ok(s.decide(viewer({ id: 'next-day' }), T0 + 86_400_000));
  });
});

describe('ad market simulation (seeded)', () => {
  test('no overspend beyond one price, no cap, targeting or minor violations; smooth pacing tracks the day', () => {
    const res = runMarket({ seed: 7, advertisers: 40, groupsPerAdvertiser: 4, users: 800, days: 2, slotsPerUserPerDay: 25 });
    console.log(JSON.stringify(res));
    assert.ok(res.filled > 1000, `filled ${res.filled}`);
    assert.equal(res.overspendViolations, 0);
    assert.ok(res.maxOverspendMicros <= res.maxPriceMicros);
    assert.equal(res.balanceViolations, 0);
    assert.equal(res.frequencyCapViolations, 0);
    assert.equal(res.targetingViolations, 0);
    assert.equal(res.restrictedToMinors, 0);
    assert.ok(res.pacedGroups > 0);
    assert.ok(res.pacingError < 0.12, `pacing error ${res.pacingError}`);
  });
  test('the pruned auction (buckets sorted by score bound, early stop) picks the same winner and price as a full scan', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const billings = ['CPM', 'CPC', 'CPV', 'OCPM'] as const;
    const cfgs = Array.from({ length: 400 }, (_, i) =>
      group(`g${i}`, {
        billing: billings[i % 4],
        bidMicros: Math.round((billings[i % 4] === 'CPM' ? 2_000_000 : 200_000) + rand() * (billings[i % 4] === 'CPM' ? 20_000_000 : 3_000_000)),
        targeting: rand() < 0.5 ? { countries: [rand() < 0.5 ? 'US' : 'FR'] } : rand() < 0.5 ? { interests: ['cats'] } : {},
        budgetMicros: 1e13, // budgets never bind here: this test is about ranking and price
      }),
    );
    const s = server(cfgs, 1e15);
    const opts = s.options;
    let checked = 0;
    for (let k = 0; k < 400; k++) {
      const v = viewer({ id: `u${k}`, country: rand() < 0.5 ? 'US' : 'FR', interests: new Set(rand() < 0.5 ? ['cats'] : []) });
      const now = T0 + k * 137;
      // Brute force over every group, from the state before this decision.
      const scored = cfgs
        .filter((c) => targets(c.targeting, v))
        .map((c) => {
          const r = s.report(c.id)!;
          const rate = actionRate(c.billing, r.outcomes);
          const bid = c.bidMicros * Math.min(1, r.bidMultiplier);
          const value = c.billing === 'CPM' ? bid / 1000 : bid * rate;
          const quality = opts.qualityWeightMicros * (predictView6s(r.outcomes) - PRIORS.view6s.rate);
          return { id: c.id, value, quality, score: value + quality, rate, billing: c.billing, bid };
        })
        .filter((x) => x.value >= opts.reserveMicrosPerImpression)
        .sort((a, b) => b.score - a.score);
      const d = s.decide(v, now, rand);
      if (!scored.length) {
        assert.equal(d, null);
        continue;
      }
      const [w, r2] = scored;
      assert.equal(d?.adGroupId, w!.id, `decision ${k}`);
      const needed = Math.max(opts.reserveMicrosPerImpression, (r2?.score ?? -Infinity) - w!.quality + 1);
      const perImp = Math.min(needed, w!.value);
      const perEvent = w!.billing === 'CPM' || w!.billing === 'OCPM' ? perImp : perImp / w!.rate;
      const cap = w!.billing === 'CPM' ? Math.ceil(w!.bid / 1000) : w!.billing === 'OCPM' ? Math.ceil(w!.bid * w!.rate) : Math.ceil(w!.bid);
      assert.equal(d.priceMicros, Math.max(1, Math.ceil(Math.min(perEvent, cap))), `price of decision ${k}`);
      if (d.holdId && rand() < 0.5) s.outcome(d.holdId, d.adGroupId, w!.billing === 'CPC' ? 'click' : 'view6s');
      checked++;
    }
    assert.ok(checked > 300, `${checked} auctions checked`);
  });
});
