import { mulberry32 } from '../../../recsys/sim/simulator.ts';
import { createAdServer, targets } from './ad-server.ts';
import { AGE_BANDS, type AdGroupConfig, type Billing, type BidStrategy, type Viewer } from './types.ts';

/**
 * A seeded ad market: advertisers with budgets, caps and targeting; a population scrolling feeds
 * for simulated days (ad slots at random times, clicks and views drawn from each ad's hidden true
 * rates). It checks what the engine promises on every decision and measures pacing.
 */
export type MarketConfig = { seed: number; advertisers: number; groupsPerAdvertiser: number; users: number; days: number; slotsPerUserPerDay: number };

export type MarketResult = {
  decisions: number;
  filled: number;
  fillRate: number;
  spendUsd: number;
  /** Largest amount any ad group went over its budget (µ$), and the largest single impression price seen: the bound is overspend ≤ one price. */
  maxOverspendMicros: number;
  maxPriceMicros: number;
  overspendViolations: number;
  balanceViolations: number;
  frequencyCapViolations: number;
  targetingViolations: number;
  restrictedToMinors: number;
  /** Smooth daily groups that spent at least half their budget on the last day: mean |spend − ideal| at each hour, as a share of the budget, where the ideal follows that day's actual traffic. */
  pacingError: number;
  pacedGroups: number;
  /** How much of their daily budgets smooth and fast groups spent by the end of day 1 (shares). */
  smoothSpentShare: number;
  fastSpentShare: number;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'BR', 'IN'];
const TAGS = ['cats', 'dogs', 'food', 'travel', 'dance', 'comedy', 'tech', 'fitness', 'music', 'fashion'];

/** The market's people and ad groups, loaded into a fresh ad server. `budgetScale` multiplies every budget and balance. */
export function makeMarket(cfg: Omit<MarketConfig, 'slotsPerUserPerDay'> & { budgetScale?: number }, start = Date.UTC(2026, 10, 2)) {
  const r = mulberry32(cfg.seed);
  const scale = cfg.budgetScale ?? 1;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: readonly T[], n: number) => [...new Set(Array.from({ length: n }, () => pick(xs)))];
  const server = createAdServer();

  const viewers: Viewer[] = Array.from({ length: cfg.users }, (_, i) => {
    const band = r() < 0.15 ? '13-17' : pick(AGE_BANDS.slice(1));
    return {
      id: `u${i}`,
      ageBand: band,
      isMinor: band === '13-17',
      gender: pick(['female', 'male', 'other']),
      country: pick(COUNTRIES),
      language: pick(['en', 'de', 'fr', 'pt']),
      device: pick(['ios', 'android', 'desktop']),
      interests: new Set(some(TAGS, 3)),
      engagedHashtags: new Set(some(TAGS, 2)),
      audiences: new Set(r() < 0.1 ? ['aud1'] : []),
    };
  });

  const groups: AdGroupConfig[] = [];
  const trueRates = new Map<string, { ctr: number; view: number; conv: number }>();
  const balance = new Map<string, number>();
  for (let a = 0; a < cfg.advertisers; a++) {
    const advertiserId = `adv${a}`;
    balance.set(advertiserId, Math.round((50 + r() * 500) * 1e6 * scale));
    server.setBalance(advertiserId, balance.get(advertiserId)!);
    for (let k = 0; k < cfg.groupsPerAdvertiser; k++) {
      const billing: Billing = pick(['CPM', 'CPM', 'CPC', 'CPV', 'OCPM']);
      const strategy: BidStrategy = pick(['max_delivery', 'cost_cap', 'bid_cap']);
      const bid = { CPM: 2e6 + r() * 8e6, CPC: 0.2e6 + r() * 1e6, CPV: 0.02e6 + r() * 0.08e6, OCPM: 1e6 + r() * 5e6 }[billing];
      const id = `g${a}_${k}`;
      groups.push({
        id,
        campaignId: `c${a}`,
        advertiserId,
        billing,
        strategy,
        bidMicros: Math.round(bid),
        budgetMicros: Math.round((0.2 + r() * 2) * 1e6 * scale),
        budgetPeriod: r() < 0.8 ? 'daily' : 'lifetime',
        pacing: r() < 0.75 ? 'smooth' : 'fast',
        startAt: start + (r() < 0.2 ? Math.floor(r() * 12) * HOUR : 0),
        endAt: r() < 0.3 ? start + cfg.days * DAY - Math.floor(r() * 12) * HOUR : null,
        targeting: {
          ...(r() < 0.4 ? { ageBands: some(AGE_BANDS.slice(1), 2) } : {}),
          ...(r() < 0.4 ? { countries: some(COUNTRIES, 2) } : {}),
          ...(r() < 0.3 ? { interests: some(TAGS, 2) } : {}),
          ...(r() < 0.1 ? { devices: ['ios'] } : {}),
          ...(r() < 0.05 ? { audiences: ['aud1'] } : {}),
        },
        frequencyCap: r() < 0.7 ? { max: 1 + Math.floor(r() * 3), days: 1 + Math.floor(r() * 2) } : null,
        restricted: r() < 0.1,
        ads: [{ id: `ad_${id}`, videoId: `v_${id}` }],
      });
      trueRates.set(id, { ctr: 0.002 + r() * 0.03, view: 0.1 + r() * 0.5, conv: 0.0005 + r() * 0.005 });
    }
  }
  // Lifetime groups need an end to pace toward.
  for (const g of groups) if (g.budgetPeriod === 'lifetime' && g.endAt === null) g.endAt = start + cfg.days * DAY;
  for (const g of groups) server.upsert(g, start);
  return { server, viewers, groups, trueRates, balance, rand: r };
}

export function runMarket(cfg: MarketConfig): MarketResult {
  const start = Date.UTC(2026, 10, 2);
  const { server, viewers, groups, trueRates, balance, rand: r } = makeMarket(cfg, start);

  // Ad slots spread over the day with an evening peak, in time order.
  const slots: { at: number; viewer: Viewer }[] = [];
  for (let d = 0; d < cfg.days; d++)
    for (const v of viewers)
      for (let s = 0; s < cfg.slotsPerUserPerDay; s++) {
        const hour = r() < 0.4 ? 17 + r() * 6 : r() * 24;
        slots.push({ at: start + d * DAY + Math.floor(hour * HOUR), viewer: v });
      }
  slots.sort((a, b) => a.at - b.at);

  const byId = new Map(groups.map((g) => [g.id, g]));
  const delivered = new Map<string, number[]>(); // group|viewer → impression times
  const spentByDay = new Map<string, number>(); // our own ledger of charges, group|day
  const charged = (groupId: string, at: number, micros: number) => {
    const key = `${groupId}|${Math.floor((at - start) / DAY)}`;
    spentByDay.set(key, (spentByDay.get(key) ?? 0) + micros);
  };
  const lifetimeSpent = new Map<string, number>();
  const advertiserSpent = new Map<string, number>();
  const hourly = new Map<string, number[]>(); // smooth daily groups: spend at the end of each hour of day 0
  const pending: { at: number; holdId: string | null; groupId: string; event: 'click' | 'view6s' | 'conversion' }[] = [];
  let filled = 0;
  let maxPrice = 0;
  let capViolations = 0;
  let targetingViolations = 0;
  let restrictedToMinors = 0;
  // Pacing is measured on the last day (the engine learns the day's traffic shape from earlier ones).
  const lastDay = start + (cfg.days - 1) * DAY;
  let nextHour = lastDay + HOUR;
  const slotsPerHour = new Array<number>(24).fill(0);
  for (const s of slots) if (s.at >= lastDay) slotsPerHour[Math.floor((s.at - lastDay) / HOUR)]!++;
  const lastDaySlots = slotsPerHour.reduce((a, b) => a + b, 0);

  const settle = (s: { groupId: string; advertiserId: string; amountMicros: number; charged: boolean } | null, at: number) => {
    if (!s?.charged) return;
    charged(s.groupId, at, s.amountMicros);
    lifetimeSpent.set(s.groupId, (lifetimeSpent.get(s.groupId) ?? 0) + s.amountMicros);
    advertiserSpent.set(s.advertiserId, (advertiserSpent.get(s.advertiserId) ?? 0) + s.amountMicros);
  };

  const snapshotHour = () => {
    for (const g of groups)
      if (g.pacing === 'smooth' && g.budgetPeriod === 'daily' && g.startAt === start && g.endAt === null) {
        const rep = server.report(g.id, nextHour - 1)!;
        const list = hourly.get(g.id) ?? [];
        list.push(rep.spentMicros + rep.heldMicros);
        hourly.set(g.id, list);
      }
    nextHour += HOUR;
  };
  for (const slot of slots) {
    while (pending.length && pending[0]!.at <= slot.at) {
      const p = pending.shift()!;
      settle(server.outcome(p.holdId, p.groupId, p.event), p.at);
    }
    for (const s of server.expireHolds(slot.at)) settle(s, slot.at);
    while (slot.at >= nextHour && nextHour <= lastDay + DAY) snapshotHour();
    const d = server.decide(slot.viewer, slot.at, r);
    if (!d) continue;
    filled++;
    const g = byId.get(d.adGroupId)!;
    maxPrice = Math.max(maxPrice, d.priceMicros);
    if (!targets(g.targeting, slot.viewer)) targetingViolations++;
    if (g.restricted && slot.viewer.isMinor) restrictedToMinors++;
    const key = `${g.id}|${slot.viewer.id}`;
    const times = delivered.get(key) ?? [];
    if (g.frequencyCap && times.filter((t) => t > slot.at - g.frequencyCap!.days * DAY).length >= g.frequencyCap.max) capViolations++;
    times.push(slot.at);
    delivered.set(key, times);
    if (d.holdId === null) settle({ groupId: g.id, advertiserId: g.advertiserId, amountMicros: d.priceMicros, charged: true }, slot.at);
    const truth = trueRates.get(g.id)!;
    if (r() < truth.view) pending.push({ at: slot.at + 6_000, holdId: d.holdId, groupId: g.id, event: 'view6s' });
    if (r() < truth.ctr) pending.push({ at: slot.at + 20_000, holdId: d.holdId, groupId: g.id, event: 'click' });
    if (r() < truth.conv) pending.push({ at: slot.at + 60_000, holdId: null, groupId: g.id, event: 'conversion' });
    pending.sort((a, b) => a.at - b.at);
  }
  while (nextHour <= lastDay + DAY) snapshotHour();
  for (const p of pending) settle(server.outcome(p.holdId, p.groupId, p.event), p.at);
  for (const s of server.expireHolds(Infinity)) settle(s, Infinity);

  let maxOverspend = 0;
  let overspendViolations = 0;
  for (const g of groups) {
    const periods =
      g.budgetPeriod === 'daily' ? Array.from({ length: cfg.days }, (_, d) => spentByDay.get(`${g.id}|${d}`) ?? 0) : [lifetimeSpent.get(g.id) ?? 0];
    for (const spent of periods) {
      const over = spent - g.budgetMicros;
      maxOverspend = Math.max(maxOverspend, over);
      if (over > maxPrice) overspendViolations++;
    }
  }
  let balanceViolations = 0;
  for (const [a, spent] of advertiserSpent) if (spent > balance.get(a)!) balanceViolations++;

  let errSum = 0;
  let paced = 0;
  for (const g of groups) {
    const list = hourly.get(g.id);
    if (!list || list.length < 24 || list[23]! < g.budgetMicros * 0.5) continue;
    paced++;
    let cum = 0;
    errSum +=
      list.reduce((s, spent, h) => {
        cum += slotsPerHour[h]! / lastDaySlots;
        return s + Math.abs(spent - g.budgetMicros * cum);
      }, 0) /
      list.length /
      g.budgetMicros;
  }
  const share = (pacing: 'smooth' | 'fast') => {
    const gs = groups.filter((g) => g.pacing === pacing && g.budgetPeriod === 'daily');
    return gs.reduce((s, g) => s + (spentByDay.get(`${g.id}|0`) ?? 0) / g.budgetMicros, 0) / Math.max(1, gs.length);
  };
  return {
    decisions: slots.length,
    filled,
    fillRate: filled / slots.length,
    spendUsd: [...advertiserSpent.values()].reduce((a, b) => a + b, 0) / 1e6,
    maxOverspendMicros: Math.max(0, maxOverspend),
    maxPriceMicros: maxPrice,
    overspendViolations,
    balanceViolations,
    frequencyCapViolations: capViolations,
    targetingViolations,
    restrictedToMinors,
    pacingError: paced ? errSum / paced : 0,
    pacedGroups: paced,
    smoothSpentShare: share('smooth'),
    fastSpentShare: share('fast'),
  };
}
