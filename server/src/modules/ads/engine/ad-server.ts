import { actionRate, predictView6s, PRIORS } from './predict.ts';
import { AGE_BANDS, type AdGroupConfig, type Decision, type OptimizeFor, type Outcomes, type Targeting, type Viewer } from './types.ts';

/**
 * The ad decision engine: eligibility (schedule, targeting, minors, frequency caps, budget and
 * balance headroom) → pacing throttle → rank by expected value per impression plus a quality term →
 * generalised second price with a reserve. Budgets cannot be overspent: every decision holds the
 * most its billing event can cost against the ad group's budget and the advertiser's balance, and
 * an ad group is only eligible while both have room for that hold.
 */

export type AdServerOptions = {
  /** Minimum value of an impression (µ$): an eCPM floor of 1 USD by default. */
  reserveMicrosPerImpression: number;
  /** Weight of the quality term (µ$ per impression per unit of 6-second-view rate above the prior). */
  qualityWeightMicros: number;
  /** How long a click or a 6-second view can follow the impression and still be billed. */
  clickWindowMs: number;
  viewWindowMs: number;
  /** Pacing controller period. */
  pacingIntervalMs: number;
};

const DEFAULTS: AdServerOptions = {
  reserveMicrosPerImpression: 1_000,
  qualityWeightMicros: 2_000,
  clickWindowMs: 3_600_000,
  viewWindowMs: 600_000,
  pacingIntervalMs: 1_000,
};

const DAY_MS = 86_400_000;

type Hold = { id: string; groupId: string; advertiserId: string; amount: number; expiresAt: number; event: 'click' | 'view6s' };

type GroupState = {
  cfg: AdGroupConfig;
  periodStart: number;
  /** Charged in the current budget period (a day for daily budgets). */
  spent: number;
  spentTotal: number;
  held: number;
  outcomes: Outcomes;
  results: number;
  /** Pacing: probability of entering an auction, and a bid multiplier (max_delivery and cost_cap). */
  throttle: number;
  bidMultiplier: number;
  lastPacingAt: number;
  nextCreative: number;
  targeting: Compiled;
  /** Index buckets (age band × country) this group is listed in. */
  buckets: string[];
  /** Impression times per person, newest last, at most the frequency cap's size. */
  seen: Map<string, number[]>;
  insight: { auctions: number; wins: number; priceSum: number; minBidToWin: number | null };
  /** Its ranking score when the buckets were last sorted: an upper bound until an outcome raises it (then it is "dirty"). */
  sortUb: number;
};

export type GroupReport = {
  id: string;
  spentMicros: number;
  spentTotalMicros: number;
  heldMicros: number;
  outcomes: Outcomes;
  throttle: number;
  bidMultiplier: number;
  /** Average clearing price per billing event when it won, and an estimate of the lowest bid that would have won recently. */
  avgClearingMicros: number | null;
  minBidToWinMicros: number | null;
  winRate: number;
};

export type Settlement = { holdId: string; groupId: string; advertiserId: string; amountMicros: number; charged: boolean };

const matches = (want: readonly string[] | undefined, have: string | undefined) => !want?.length || (have !== undefined && want.includes(have));
const overlaps = (want: readonly string[] | undefined, have: ReadonlySet<string>) => !want?.length || want.some((w) => have.has(w));

export function targets(t: Targeting, v: Viewer): boolean {
  return (
    matches(t.ageBands, v.ageBand) &&
    matches(t.genders, v.gender) &&
    matches(t.countries, v.country) &&
    matches(t.languages, v.language) &&
    matches(t.devices, v.device) &&
    overlaps(t.interests, v.interests) &&
    overlaps(t.engagedHashtags, v.engagedHashtags) &&
    overlaps(t.audiences, v.audiences)
  );
}

/** Targeting in one fixed shape (null = everyone), so the per-decision check is monomorphic Set lookups. */
type Compiled = {
  genders: Set<string> | null;
  languages: Set<string> | null;
  devices: Set<string> | null;
  interests: string[] | null;
  engagedHashtags: string[] | null;
  audiences: string[] | null;
};
const setOf = (xs: readonly string[] | undefined) => (xs?.length ? new Set(xs) : null);
const listOf = (xs: readonly string[] | undefined) => (xs?.length ? [...xs] : null);
const compile = (t: Targeting): Compiled => ({
  genders: setOf(t.genders),
  languages: setOf(t.languages),
  devices: setOf(t.devices),
  interests: listOf(t.interests),
  engagedHashtags: listOf(t.engagedHashtags),
  audiences: listOf(t.audiences),
});
const inSet = (want: Set<string> | null, have: string | undefined) => want === null || (have !== undefined && want.has(have));
const anyIn = (want: string[] | null, have: ReadonlySet<string>) => {
  if (want === null) return true;
  for (const w of want) if (have.has(w)) return true;
  return false;
};
/** The dimensions not covered by the age × country index. */
const targetsRest = (c: Compiled, v: Viewer) =>
  inSet(c.genders, v.gender) &&
  inSet(c.languages, v.language) &&
  inSet(c.devices, v.device) &&
  anyIn(c.interests, v.interests) &&
  anyIn(c.engagedHashtags, v.engagedHashtags) &&
  anyIn(c.audiences, v.audiences);

const ANY = '*';

/** The event that counts as a result (cost cap's cost per result): what the group pays for, or OCPM's optimisation event. */
export const resultEvent = (cfg: Pick<AdGroupConfig, 'billing' | 'optimizeFor'>): 'click' | 'view6s' | OptimizeFor =>
  cfg.billing === 'OCPM' ? (cfg.optimizeFor ?? 'conversion') : cfg.billing === 'CPV' ? 'view6s' : 'click';

export function createAdServer(options: Partial<AdServerOptions> = {}) {
  const opts = { ...DEFAULTS, ...options };
  const groups = new Map<string, GroupState>();
  /**
   * Age band × country → the groups that accept both (a group without a country target is listed
   * under "*" for its bands). A decision only visits the viewer's two buckets.
   */
  const index = new Map<string, Set<GroupState>>();
  const bucketsOf = (t: Targeting) => {
    const bands = t.ageBands?.length ? t.ageBands : AGE_BANDS;
    const countries = t.countries?.length ? t.countries : [ANY];
    return bands.flatMap((b) => countries.map((c) => `${b}|${c}`));
  };
  function unindex(g: GroupState) {
    for (const b of g.buckets) index.get(b)?.delete(g);
  }
  function reindex(g: GroupState) {
    unindex(g);
    g.targeting = compile(g.cfg.targeting);
    g.buckets = bucketsOf(g.cfg.targeting);
    for (const b of g.buckets) {
      let set = index.get(b);
      if (!set) index.set(b, (set = new Set()));
      set.add(g);
    }
  }
  const balances = new Map<string, { available: number; held: number }>();
  // Buckets sorted by each group's score bound, re-sorted after every pacing round; groups whose bound rose
  // since (an outcome, a new config) are scanned apart until the next sort.
  const sorted = new Map<string, GroupState[]>();
  const dirty = new Set<GroupState>();
  let lastPaceAll = -Infinity;
  let structureChanged = true;
  // Contenders of the current auction, reused across decisions (no allocation per group).
  let cGroup: GroupState[] = [];
  let cQuality = new Float64Array(0);
  let cRate = new Float64Array(0);
  const holds = new Map<string, Hold>();
  let holdSeq = 0;
  // Ad opportunities per hour of the day: today's counts, and the shape learned from earlier days
  // (null until a whole day was seen; pacing is linear until then).
  let trafficDay = -1;
  let traffic = new Array<number>(24).fill(0);
  let profile: number[] | null = null;

  function countOpportunity(now: number) {
    const day = Math.floor(now / DAY_MS);
    if (day !== trafficDay) {
      const total = traffic.reduce((a, b) => a + b, 0);
      if (trafficDay >= 0 && total > 24 * 20) {
        const shares = traffic.map((n) => n / total);
        profile = profile ? profile.map((p, h) => 0.5 * p + 0.5 * shares[h]!) : shares;
      }
      traffic = new Array<number>(24).fill(0);
      trafficDay = day;
    }
    traffic[Math.floor((now % DAY_MS) / 3_600_000)]!++;
  }

  /** Expected share of the day's opportunities before this time of day (0..1). */
  function cumulative(msOfDay: number): number {
    if (!profile) return msOfDay / DAY_MS;
    const h = Math.min(23, Math.floor(msOfDay / 3_600_000));
    let sum = 0;
    for (let i = 0; i < h; i++) sum += profile[i]!;
    return sum + profile[h]! * ((msOfDay - h * 3_600_000) / 3_600_000);
  }

  const periodStartOf = (cfg: AdGroupConfig, now: number) => (cfg.budgetPeriod === 'daily' ? now - (now % DAY_MS) : cfg.startAt);

  /** The largest charge one decision can cause (the hold), at the current prediction. */
  function maxCharge(g: GroupState): number {
    const { billing, bidMicros } = g.cfg;
    const bid = bidMicros * (g.cfg.strategy === 'bid_cap' ? Math.min(1, g.bidMultiplier) : g.bidMultiplier);
    if (billing === 'CPM') return Math.ceil(bid / 1000);
    if (billing === 'OCPM') return Math.ceil(bid * actionRate('OCPM', g.outcomes, g.cfg.optimizeFor));
    return Math.ceil(g.cfg.strategy === 'bid_cap' ? Math.min(bid, bidMicros) : bid);
  }

  /**
   * Smooth pacing: a daily budget follows the day's traffic curve (learned from earlier days; a
   * straight line until then), a lifetime budget a straight line; the throttle and the bid
   * multiplier steer spend toward it.
   */
  function pace(g: GroupState, now: number) {
    if (now - g.lastPacingAt < opts.pacingIntervalMs) return;
    g.lastPacingAt = now;
    const { cfg } = g;
    const from = Math.max(g.periodStart, cfg.startAt);
    const to = cfg.budgetPeriod === 'daily' ? Math.min(g.periodStart + DAY_MS, cfg.endAt ?? Infinity) : (cfg.endAt ?? from + DAY_MS);
    let elapsed: number;
    if (cfg.budgetPeriod === 'daily') {
      const day = g.periodStart;
      const a = cumulative(from - day);
      const b = to - day >= DAY_MS ? 1 : cumulative(to - day);
      elapsed = Math.min(1, Math.max(0, (cumulative(Math.min(now, to) - day) - a) / Math.max(1e-9, b - a)));
    } else elapsed = Math.min(1, Math.max(0, (now - from) / Math.max(1, to - from)));
    const ideal = cfg.budgetMicros * elapsed;
    const actual = g.spent + g.held;
    if (cfg.pacing === 'smooth') {
      if (actual > ideal * 1.02 + maxCharge(g)) g.throttle = Math.max(0.005, g.throttle * 0.7);
      else if (actual < ideal * 0.98) g.throttle = Math.min(1, g.throttle * 1.3 + 0.01);
    } else g.throttle = 1;
    // Bid steering: cost cap keeps the average cost per result under the cap; max delivery bids up
    // while it underspends at full participation and down when it is throttled anyway.
    if (cfg.strategy === 'cost_cap' && g.results > 0) {
      const costPerResult = g.spentTotal / g.results;
      g.bidMultiplier = Math.min(2, Math.max(0.2, g.bidMultiplier * (costPerResult > cfg.bidMicros ? 0.9 : 1.05)));
    } else if (cfg.strategy === 'max_delivery') {
      if (g.throttle >= 1 && actual < ideal * 0.9) g.bidMultiplier = Math.min(3, g.bidMultiplier * 1.05);
      else if (g.throttle < 0.5) g.bidMultiplier = Math.max(0.3, g.bidMultiplier * 0.95);
    }
  }

  /** A daily budget starts again at midnight UTC. */
  function rollPeriod(g: GroupState, now: number) {
    if (g.cfg.budgetPeriod === 'daily' && now - g.periodStart >= DAY_MS) {
      g.periodStart = periodStartOf(g.cfg, now);
      g.spent = 0;
    }
  }

  function capOk(g: GroupState, viewerId: string, now: number): boolean {
    const cap = g.cfg.frequencyCap;
    if (!cap) return true;
    const times = g.seen.get(viewerId);
    if (!times) return true;
    const since = now - cap.days * DAY_MS;
    let n = 0;
    for (const t of times) if (t > since) n++;
    return n < cap.max;
  }

  function noteImpression(g: GroupState, viewerId: string, now: number) {
    const cap = g.cfg.frequencyCap;
    if (!cap) return;
    const times = g.seen.get(viewerId);
    if (!times) return void g.seen.set(viewerId, [now]);
    times.push(now);
    if (times.length > cap.max) times.shift();
  }

  /** The group's ranking score (value + quality) at its current bid multiplier and predictions. */
  function scoreOf(g: GroupState): number {
    const { cfg } = g;
    const bid = cfg.bidMicros * (cfg.strategy === 'bid_cap' ? Math.min(1, g.bidMultiplier) : g.bidMultiplier);
    const value = cfg.billing === 'CPM' ? bid / 1000 : bid * actionRate(cfg.billing, g.outcomes, cfg.optimizeFor);
    return value + opts.qualityWeightMicros * (predictView6s(g.outcomes) - PRIORS.view6s.rate);
  }

  /** Once per pacing interval: pace every group, then sort each bucket by score bound (highest first). */
  function paceAll(now: number) {
    lastPaceAll = now;
    for (const g of groups.values()) {
      rollPeriod(g, now);
      pace(g, now);
      g.sortUb = scoreOf(g);
    }
    if (structureChanged) {
      // Groups came or went: one sort of all groups, then each bucket takes them in that order.
      structureChanged = false;
      const order = [...groups.values()].sort((a, b) => b.sortUb - a.sortUb);
      sorted.clear();
      for (const g of order)
        for (const key of g.buckets) {
          const list = sorted.get(key);
          if (list) list.push(g);
          else sorted.set(key, [g]);
        }
    } else {
      // Scores move a little between rounds: an insertion sort of the nearly sorted lists is close to linear.
      for (const list of sorted.values())
        for (let i = 1; i < list.length; i++) {
          const g = list[i]!;
          let k = i - 1;
          while (k >= 0 && list[k]!.sortUb < g.sortUb) {
            list[k + 1] = list[k]!;
            k--;
          }
          list[k + 1] = g;
        }
    }
    dirty.clear();
  }

  function charge(g: GroupState, amount: number) {
    g.spent += amount;
    g.spentTotal += amount;
    const b = balances.get(g.cfg.advertiserId)!;
    b.available -= amount;
  }

  return {
    options: opts,
    /** Add or replace an ad group (its spend, outcomes and pacing state survive a config change). */
    upsert(cfg: AdGroupConfig, now: number) {
      const prev = groups.get(cfg.id);
      if (prev) {
        const before = prev.buckets.join();
        const old = prev.cfg;
        prev.cfg = cfg;
        reindex(prev);
        // Only a new bid can raise its score bound (reloading an unchanged config costs nothing).
        if (old.bidMicros !== cfg.bidMicros || old.billing !== cfg.billing || old.strategy !== cfg.strategy || old.optimizeFor !== cfg.optimizeFor)
          dirty.add(prev);
        if (prev.buckets.join() !== before) structureChanged = true;
        return;
      }
      const g: GroupState = {
        cfg,
        periodStart: periodStartOf(cfg, now),
        spent: 0,
        spentTotal: 0,
        held: 0,
        outcomes: { impressions: 0, clicks: 0, views6s: 0, conversions: 0 },
        results: 0,
        throttle: cfg.pacing === 'smooth' ? 0.2 : 1,
        bidMultiplier: 1,
        lastPacingAt: -Infinity,
        nextCreative: 0,
        seen: new Map(),
        targeting: compile(cfg.targeting),
        buckets: [],
        insight: { auctions: 0, wins: 0, priceSum: 0, minBidToWin: null },
        sortUb: Infinity,
      };
      groups.set(cfg.id, g);
      reindex(g);
      dirty.add(g);
      structureChanged = true;
      if (!balances.has(cfg.advertiserId)) balances.set(cfg.advertiserId, { available: 0, held: 0 });
    },
    /** Restore what a group already spent and achieved (from the database on start). */
    restore(id: string, s: { spentMicros: number; spentTotalMicros: number; outcomes: Outcomes; results: number }) {
      const g = groups.get(id);
      if (!g) return;
      g.spent = s.spentMicros;
      g.spentTotal = s.spentTotalMicros;
      g.outcomes = { ...s.outcomes };
      g.results = s.results;
      dirty.add(g);
    },
    remove(id: string) {
      const g = groups.get(id);
      if (g) unindex(g);
      groups.delete(id);
      if (g) dirty.delete(g);
      structureChanged = true;
    },
    /** The advertiser's spendable balance (µ$), e.g. after a top-up; holds already taken stay held. */
    setBalance(advertiserId: string, availableMicros: number) {
      const b = balances.get(advertiserId) ?? { available: 0, held: 0 };
      b.available = availableMicros;
      balances.set(advertiserId, b);
    },
    balance: (advertiserId: string) => balances.get(advertiserId),
    get size() {
      return groups.size;
    },

    /**
     * Pick the ad for one slot, or null. Draws from `rand` (0..1) for the pacing throttle. Ads of videos in
     * `exclude` (already in the viewer's session) are not candidates.
     */
    decide(viewer: Viewer, now: number, rand: () => number = Math.random, exclude?: ReadonlySet<string>): Decision | null {
      let best: GroupState | undefined;
      let bestScore = -Infinity;
      let bestQuality = 0;
      let bestRate = 1;
      let second = -Infinity;
      let eligible = 0;
      let throttled = 0;
      if (cGroup.length < groups.size) {
        cGroup = new Array<GroupState>(groups.size);
        cQuality = new Float64Array(groups.size);
        cRate = new Float64Array(groups.size);
      }
      let n = 0;
      countOpportunity(now);
      if (now - lastPaceAll >= opts.pacingIntervalMs) paceAll(now);
      const localKey = `${viewer.ageBand}|${viewer.country ?? ''}`;
      const globalKey = `${viewer.ageBand}|${ANY}`;
      const consider = (g: GroupState) => {
        const { cfg } = g;
        if (now < cfg.startAt || (cfg.endAt !== null && now >= cfg.endAt) || !cfg.ads.length) return;
        if (exclude?.size && cfg.ads.every((a) => exclude.has(a.videoId))) return;
        if (viewer.isMinor && cfg.restricted) return;
        rollPeriod(g, now);
        const hold = maxCharge(g);
        const bal = balances.get(cfg.advertiserId)!;
        if (g.spent + g.held + hold > cfg.budgetMicros || bal.available - bal.held < hold) return;
        if (!targetsRest(g.targeting, viewer) || !capOk(g, viewer.id, now)) return;
        eligible++;
        if (g.throttle < 1 && rand() >= g.throttle) {
          throttled++;
          return;
        }
        const rate = actionRate(cfg.billing, g.outcomes, cfg.optimizeFor);
        const bid = cfg.bidMicros * (cfg.strategy === 'bid_cap' ? Math.min(1, g.bidMultiplier) : g.bidMultiplier);
        const value = cfg.billing === 'CPM' ? bid / 1000 : bid * rate;
        if (value < opts.reserveMicrosPerImpression) return;
        // Ads people watch past 6 s protect the feed; ones they skip pay more to be shown.
        const quality = opts.qualityWeightMicros * (predictView6s(g.outcomes) - PRIORS.view6s.rate);
        const score = value + quality;
        g.insight.auctions++;
        cGroup[n] = g;
        cQuality[n] = quality;
        cRate[n++] = rate;
        if (score > bestScore) {
          second = bestScore;
          best = g;
          bestScore = score;
          bestQuality = quality;
          bestRate = rate;
        } else if (score > second) second = score;
      };
      // Groups whose bound rose since the last sort first; then both buckets merged by bound, stopping at
      // the first group that can beat neither the runner-up nor the reserve (nothing after it can).
      for (const g of dirty) if (g.buckets.includes(localKey) || g.buckets.includes(globalKey)) consider(g);
      const a = sorted.get(localKey) ?? [];
      const b = sorted.get(globalKey) ?? [];
      const floor = opts.reserveMicrosPerImpression - opts.qualityWeightMicros * PRIORS.view6s.rate;
      let i = 0;
      let j = 0;
      while (i < a.length || j < b.length) {
        const g = j >= b.length || (i < a.length && a[i]!.sortUb >= b[j]!.sortUb) ? a[i++]! : b[j++]!;
        if (g.sortUb <= second || g.sortUb < floor) break;
        if (!dirty.has(g) && groups.get(g.cfg.id) === g) consider(g);
      }
      if (!best) return null;
      // Second price: the least value per impression that still beats the runner-up (and the reserve).
      const needed = Math.max(opts.reserveMicrosPerImpression, second - bestQuality + 1);
      const winnerValue = bestScore - bestQuality;
      const perImpression = Math.min(needed, winnerValue);
      const cfg = best.cfg;
      const perEvent = cfg.billing === 'CPM' || cfg.billing === 'OCPM' ? perImpression : perImpression / bestRate;
      const price = Math.max(1, Math.ceil(Math.min(perEvent, maxCharge(best))));
      for (let i = 0; i < n; i++) {
        const g = cGroup[i]!;
        if (g === best) continue;
        // The lowest bid that would have won this auction, per billing event.
        const need = (bestScore - cQuality[i]! + 1) / (g.cfg.billing === 'CPM' ? 1 / 1000 : cRate[i]!);
        const ins = g.insight;
        ins.minBidToWin = ins.minBidToWin === null ? need : 0.9 * ins.minBidToWin + 0.1 * need;
      }
      best.insight.wins++;
      best.insight.priceSum += price;
      best.outcomes.impressions++;
      noteImpression(best, viewer.id, now);
      let ad = cfg.ads[best.nextCreative++ % cfg.ads.length]!;
      while (exclude?.has(ad.videoId)) ad = cfg.ads[best.nextCreative++ % cfg.ads.length]!;
      let holdMicros = 0;
      if (cfg.billing === 'CPM' || cfg.billing === 'OCPM') charge(best, price);
      else {
        holdMicros = price;
        best.held += price;
        balances.get(cfg.advertiserId)!.held += price;
        const id = `h${++holdSeq}`;
        holds.set(id, {
          id,
          groupId: cfg.id,
          advertiserId: cfg.advertiserId,
          amount: price,
          expiresAt: now + (cfg.billing === 'CPC' ? opts.clickWindowMs : opts.viewWindowMs),
          event: cfg.billing === 'CPC' ? 'click' : 'view6s',
        });
        return { ...decisionOf(best, ad, price, holdMicros, winnerValue, second, eligible, throttled), holdId: id };
      }
      return { ...decisionOf(best, ad, price, holdMicros, winnerValue, second, eligible, throttled), holdId: null };
    },

    /**
     * An outcome of an impression: updates the predictions, and settles its hold when this is the
     * event the ad group pays for (a click for CPC, a 6-second view for CPV). Returns the charge.
     */
    outcome(holdId: string | null, groupId: string, event: 'click' | 'view6s' | 'conversion' | 'follow' | 'profile_visit'): Settlement | null {
      const g = groups.get(groupId);
      if (!g) return null;
      if (event === 'click') g.outcomes.clicks++;
      else if (event === 'view6s') g.outcomes.views6s++;
      else if (event === 'follow') g.outcomes.follows = (g.outcomes.follows ?? 0) + 1;
      else if (event === 'profile_visit') g.outcomes.profileVisits = (g.outcomes.profileVisits ?? 0) + 1;
      else g.outcomes.conversions++;
      if (event === resultEvent(g.cfg)) g.results++;
      if (scoreOf(g) > g.sortUb) dirty.add(g);
      const hold = holdId ? holds.get(holdId) : undefined;
      if (!hold || hold.groupId !== groupId || hold.event !== event) return null;
      holds.delete(hold.id);
      g.held -= hold.amount;
      balances.get(hold.advertiserId)!.held -= hold.amount;
      charge(g, hold.amount);
      return { holdId: hold.id, groupId, advertiserId: hold.advertiserId, amountMicros: hold.amount, charged: true };
    },

    /** Give back a charge that must not be billed (invalid traffic found after the impression was charged). */
    credit(groupId: string, amountMicros: number) {
      const g = groups.get(groupId);
      if (!g || amountMicros <= 0) return;
      g.spent = Math.max(0, g.spent - amountMicros);
      g.spentTotal = Math.max(0, g.spentTotal - amountMicros);
      const b = balances.get(g.cfg.advertiserId);
      if (b) b.available += amountMicros;
    },

    /** Release holds whose billing event can no longer happen. */
    expireHolds(now: number): Settlement[] {
      const out: Settlement[] = [];
      for (const h of holds.values()) {
        if (h.expiresAt > now) continue;
        holds.delete(h.id);
        const g = groups.get(h.groupId);
        if (g) g.held -= h.amount;
        const b = balances.get(h.advertiserId);
        if (b) b.held -= h.amount;
        out.push({ holdId: h.id, groupId: h.groupId, advertiserId: h.advertiserId, amountMicros: h.amount, charged: false });
      }
      return out;
    },

    /** Spend and auction figures of an ad group; with `now`, the budget period is brought up to date first. */
    report(id: string, now?: number): GroupReport | undefined {
      const g = groups.get(id);
      if (!g) return undefined;
      if (now !== undefined) rollPeriod(g, now);
      const ins = g.insight;
      return {
        id,
        spentMicros: g.spent,
        spentTotalMicros: g.spentTotal,
        heldMicros: g.held,
        outcomes: { ...g.outcomes },
        throttle: g.throttle,
        bidMultiplier: g.bidMultiplier,
        avgClearingMicros: ins.wins ? ins.priceSum / ins.wins : null,
        minBidToWinMicros: ins.minBidToWin,
        winRate: ins.auctions ? ins.wins / ins.auctions : 0,
      };
    },

    /** Impressions of an ad group a person saw within its cap window (for checks). */
    impressionsOf(groupId: string, viewerId: string) {
      return [...(groups.get(groupId)?.seen.get(viewerId) ?? [])];
    },
  };
}

function decisionOf(
  g: GroupState,
  ad: { id: string; videoId: string },
  price: number,
  holdMicros: number,
  winnerValue: number,
  second: number,
  eligible: number,
  throttled: number,
): Omit<Decision, 'holdId'> {
  return {
    adId: ad.id,
    adGroupId: g.cfg.id,
    campaignId: g.cfg.campaignId,
    advertiserId: g.cfg.advertiserId,
    videoId: ad.videoId,
    billing: g.cfg.billing,
    priceMicros: price,
    holdMicros,
    winnerValueMicros: Math.round(winnerValue),
    runnerUpValueMicros: Number.isFinite(second) ? Math.round(second) : 0,
    eligible,
    throttled,
  };
}

export type AdServer = ReturnType<typeof createAdServer>;
