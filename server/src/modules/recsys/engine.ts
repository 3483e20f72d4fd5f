import { ImplicitMF, type MFConfig } from '../../recsys/mf.ts';
import { topKIndices } from '../../recsys/top-k.ts';
import { createRanker, fi, NF, type Outcome, type Ranker, type RankerState } from './ranker.ts';
import { SeenFilter } from './seen-filter.ts';
import { bumpTrend, decayedTrend, defaultPriors as priors, emptyStats, smoothedRates, type VideoStats } from './video-stats.ts';

/** What the engine knows of a video (kept in sync with the catalogue by the feed service). */
export type VideoMeta = { id: string; creatorId: string; hashtags: string[]; publishedAt: number; durationMs: number };

/** A stored interaction event, as the learner consumes it. */
export type LearnEvent = { userId: string | null; videoId: string; type: string; watchMs: number | null; durationMs: number | null; at: number };

export type SourceName = 'embedding' | 'hashtag' | 'creator' | 'trending' | 'following' | 'fresh' | 'popular';

export type Recommendation = { videoId: string; score: number; sources: SourceName[]; explore: boolean; why: string[] };

export type EngineOptions = {
  /** Share of each page given to exploration (new videos and new creators); Loops uses 30 %. */
  exploreShare: number;
  /** Impressions a video gets per traffic pool before it must beat its cohort to graduate. */
  poolSizes: number[];
  /** A page never shows one creator more than this many times. */
  maxPerCreator: number;
  maxPerHashtag: number;
  factors: number;
  /**
   * MF settings on top of DEFAULT_MF_CONFIG (which protocol A validated on MovieLens). The
   * activity pivot is the history length at which a user's confidence slope is alpha. Feed users
   * log hundreds of events where MovieLens users have tens of ratings, so no constant suits both
   * (50 won on MovieLens, 300 on the simulator); the engine uses the automatic pivot (0: the
   * geometric mean of the users' history lengths), which matched the best constant on each
   * (docs/recsys.md).
   */
  mf: Partial<MFConfig>;
  /** Source of randomness for exploration jitter (seeded in tests). */
  random: () => number;
};

/**
 * The MF settings the live engine runs with, on top of DEFAULT_MF_CONFIG: 32 factors and the
 * automatic activity pivot (see EngineOptions.mf). `npm run recsys:eval -- --mf engine` evaluates
 * exactly these.
 */
export const ENGINE_MF_CONFIG: Readonly<Partial<MFConfig> & { factors: number }> = Object.freeze({ factors: 32, activityPivot: 0 });

const defaults: EngineOptions = {
  exploreShare: 0.25,
  poolSizes: [100, 1000, 10000],
  maxPerCreator: 2,
  maxPerHashtag: 5,
  factors: ENGINE_MF_CONFIG.factors,
  mf: { activityPivot: ENGINE_MF_CONFIG.activityPivot },
  random: Math.random,
};

type View = { videoId: string; startedAt: number; watchMs: number; durationMs: number; outcome: Outcome; features?: Float32Array };

type SavedUser = {
  creators: [string, number][];
  tags: [string, number][];
  seen: ReturnType<SeenFilter['toJSON']>;
  hiddenVideos: string[];
  hiddenCreators: string[];
  hiddenTags: string[];
  interactions: number;
};
export type EngineSnapshot = {
  version: 1;
  mf: string;
  ranker: RankerState;
  stats: [string, VideoStats][];
  pool: [string, number][];
  users: [string, SavedUser][];
  resets: [string, number][];
};

type UserState = {
  creators: Map<string, number>;
  tags: Map<string, number>;
  seen: SeenFilter;
  hiddenVideos: Set<string>;
  hiddenCreators: Set<string>;
  hiddenTags: Set<string>;
  follows: Set<string>;
  view?: View;
  interactions: number;
};

/** Signal strength of each event type for the user's tastes (MF weight and affinity bump). */
const SIGNAL: Record<string, number> = {
  complete: 1,
  replay: 1,
  like: 2,
  unlike: -2,
  comment: 2,
  share: 3,
  save: 2,
  follow: 3,
  profile_visit: 0.5,
  skip: -0.5,
  not_interested: -3,
  report: -3,
};

const AFFINITY_CAP = 20;
const PRIOR_PEERS = 32;
/** Length of each shared candidate list (trending, popular, exploration pool). */
const LIST_SIZE = 500;
/** Candidate sources, in the order they propose candidates (and list themselves in `sources`). */
const SOURCES: readonly SourceName[] = ['embedding', 'hashtag', 'creator', 'following', 'trending', 'popular', 'fresh'];
const SOURCE_BIT = Object.fromEntries(SOURCES.map((s, i) => [s, 1 << i])) as Record<SourceName, number>;

/**
 * The k-th smallest value of `xs` (0-based), the element `xs.sort()[k]` would give, by
 * quickselect (Hoare partition, median-of-three pivots); reorders `xs`.
 */
export function selectKth(xs: Float32Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const a = xs[lo]!;
    const b = xs[mid]!;
    const c = xs[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i++] = xs[j]!;
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/** The keys of the `k` largest positive values, largest first (ties: first inserted first), without sorting the map. */
function topPositive(m: ReadonlyMap<string, number>, k: number): string[] {
  const keys: string[] = [];
  const vals: number[] = [];
  for (const [key, w] of m) {
    if (!(w > 0) || (keys.length === k && w <= vals[k - 1]!)) continue;
    let at = keys.length;
    while (at > 0 && vals[at - 1]! < w) at--;
    keys.splice(at, 0, key);
    vals.splice(at, 0, w);
    if (keys.length > k) {
      keys.pop();
      vals.pop();
    }
  }
  return keys;
}
const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, Math.max(-AFFINITY_CAP, Math.min(AFFINITY_CAP, (m.get(k) ?? 0) + d)));
const squash = (x: number) => x / (1 + Math.abs(x));

/**
 * The For You brain, in memory: a catalogue view, per-video counters, per-user tastes and seen
 * filters, an online implicit MF (the same model code the offline evaluation measures) and the
 * multi-task ranker. `learn` applies events at once, so the next page reflects them.
 */
export function createRecsysEngine(options: Partial<EngineOptions> = {}) {
  const opts = { ...defaults, ...options };
  let mf = new ImplicitMF({ iterations: 4, ...opts.mf, factors: opts.factors });
  let ranker: Ranker = createRanker();
  const videos = new Map<string, VideoMeta>();
  const stats = new Map<string, VideoStats>();
  const users = new Map<string, UserState>();
  const byTag = new Map<string, Set<string>>();
  const byCreator = new Map<string, Set<string>>();
  const pool = new Map<string, number>();
  /**
   * The request path's view of a catalogue video: its meta, its counters (the same object `stats`
   * holds) and the page that last proposed it with its candidate slot, so a candidate costs one map
   * lookup instead of three (catalogue, counters, de-duplication).
   */
  type Entry = { meta: VideoMeta; stats: VideoStats; page: number; slot: number };
  const entries = new Map<string, Entry>();
  let pageNo = 0;
  // A reset user continues under a new MF row: the model never forgets rows, the user does.
  const resets = new Map<string, number>();
  const mfUser = (userId: string) => (resets.has(userId) ? `${userId}#${resets.get(userId)}` : userId);

  const statsOf = (id: string) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = emptyStats()));
    return s;
  };
  const userOf = (id: string) => {
    let u = users.get(id);
    if (!u)
      users.set(
        id,
        (u = {
          creators: new Map(),
          tags: new Map(),
          seen: new SeenFilter(),
          hiddenVideos: new Set(),
          hiddenCreators: new Set(),
          hiddenTags: new Set(),
          follows: new Set(),
          interactions: 0,
        }),
      );
    return u;
  };

  /** A video nobody has interacted with sits at the mean of its hashtag and creator peers (its cold-start prior). */
  function priorFor(v: VideoMeta) {
    // A bounded sample of peers keeps this O(1) per video at any catalogue size.
    const peers = new Set<string>();
    const sample = (ids: Set<string> | undefined) => {
      let n = 0;
      for (const id of ids ?? []) {
        if (n >= PRIOR_PEERS) break;
        if (id !== v.id && !peers.has(id)) {
          peers.add(id);
          n++;
        }
      }
    };
    for (const t of v.hashtags) sample(byTag.get(t));
    sample(byCreator.get(v.creatorId));
    return peers.size ? mf.meanItemVector(peers) : undefined;
  }

  function upsertVideo(v: VideoMeta) {
    const old = videos.get(v.id);
    if (old) removeVideo(v.id, false);
    videos.set(v.id, v);
    entries.set(v.id, { meta: v, stats: statsOf(v.id), page: 0, slot: 0 });
    lists = undefined;
    catalogVersion++;
    for (const t of v.hashtags) (byTag.get(t) ?? byTag.set(t, new Set()).get(t)!).add(v.id);
    (byCreator.get(v.creatorId) ?? byCreator.set(v.creatorId, new Set()).get(v.creatorId)!).add(v.id);
    mf.initItem(v.id, priorFor(v));
    if (!pool.has(v.id)) pool.set(v.id, 0);
  }

  function removeVideo(id: string, dropStats = true) {
    lists = undefined;
    catalogVersion++;
    const v = videos.get(id);
    if (!v) return;
    videos.delete(id);
    entries.delete(id);
    for (const t of v.hashtags) byTag.get(t)?.delete(id);
    byCreator.get(v.creatorId)?.delete(id);
    if (dropStats) stats.delete(id);
  }

  /**
   * The shared, non-personal candidate lists, rebuilt every couple of seconds rather than per
   * request (they cost O(catalogue)). Traffic pools: a video in pool L gets exploration traffic until
   * it has `poolSizes[L]` impressions; then it graduates to L+1 only if its engagement beats the
   * median of its cohort (the videos of pool L), else it leaves exploration.
   */
  type SharedLists = { at: number; trending: string[]; popular: string[]; fresh: string[]; freshSet: Set<string> };
  let lists: SharedLists | undefined;
  /** Bumped by every catalogue change: a sliced rebuild that saw an older catalogue is not installed. */
  let catalogVersion = 0;
  /** Rebuilt by the service on a timer (off the request path); a request builds them only when missing. */
  function sharedLists(now: number) {
    return lists ?? refreshLists(now);
  }
  /** The whole rebuild at once (tests, the bench, a request that finds no lists). */
  function refreshLists(now: number): SharedLists {
    const build = buildLists(now, Infinity);
    for (let step = build.next(); ; step = build.next()) if (step.done) return (lists = step.value);
  }
  /**
   * The same rebuild in slices of `slice` videos, awaiting `pause()` (e.g. setImmediate) between
   * them, so the API thread never blocks for the whole O(catalogue) pass: at 100k videos the full
   * rebuild is ~100 ms of CPU every 2 s. Events that arrive between slices update counters the
   * remaining slices read, as they would for a rebuild started a moment later. If the catalogue
   * changes meanwhile, the result is dropped (the next page or rebuild makes fresh lists, as a
   * catalogue change always did). Resolves to the lists, or undefined when dropped.
   */
  async function refreshListsSliced(now: number, pause: () => Promise<void>, slice = 2048): Promise<SharedLists | undefined> {
    const version = catalogVersion;
    const build = buildLists(now, slice);
    for (let step = build.next(); ; step = build.next()) {
      if (step.done) {
        if (version !== catalogVersion) return undefined;
        return (lists = step.value);
      }
      await pause();
    }
  }
  /**
   * The shared, non-personal candidate lists, rebuilt every couple of seconds rather than per
   * request (they cost O(catalogue)). Traffic pools: a video in pool L gets exploration traffic until
   * it has `poolSizes[L]` impressions; then it graduates to L+1 only if its engagement beats the
   * median of its cohort (the videos of pool L), else it leaves exploration. A generator that
   * yields after every `slice` videos of each pass (see refreshListsSliced).
   */
  function* buildLists(now: number, slice: number): Generator<void, SharedLists, void> {
    // `entries` is in the catalogue's order (both maps are written together).
    const ents = [...entries.values()];
    const n = ents.length;
    const all: VideoMeta[] = new Array<VideoMeta>(n);
    // Typed arrays, typed sorts and heap selection (not object arrays and comparator sorts): this
    // runs on the API thread every 2 s, so it must stay a few tens of ms at 100k videos.
    const st: VideoStats[] = new Array<VideoStats>(n);
    const q = new Float32Array(n);
    const levels = new Int32Array(n);
    let maxLevel = 0;
    for (let lo = 0; lo < n; lo += slice) {
      for (let i = lo, hi = Math.min(n, lo + slice); i < hi; i++) {
        const e = ents[i]!;
        all[i] = e.meta;
        const s = e.stats;
        st[i] = s;
        q[i] = qualityOf(s);
        levels[i] = pool.get(all[i]!.id) ?? 0;
        if (levels[i]! > maxLevel) maxLevel = levels[i]!;
      }
      if (lo + slice < n) yield;
    }
    const median = new Float32Array(maxLevel + 1);
    {
      const counts = new Int32Array(maxLevel + 2);
      for (let i = 0; i < n; i++) counts[levels[i]! + 1]!++;
      for (let l = 1; l <= maxLevel + 1; l++) counts[l]! += counts[l - 1]!;
      // Qualities grouped by level (a counting sort), then each group's median selected in place
      // (the element a numeric sort would put at the middle; O(n), not a sort).
      const grouped = new Float32Array(n);
      const fill = counts.slice(0, maxLevel + 1);
      for (let i = 0; i < n; i++) grouped[fill[levels[i]!]!++] = q[i]!;
      yield;
      for (let l = 0; l <= maxLevel; l++) {
        const xs = grouped.subarray(counts[l], counts[l + 1]);
        median[l] = xs.length ? selectKth(xs, Math.floor(xs.length / 2)) : 0;
      }
      yield;
    }
    const freshScore = new Float32Array(n).fill(-Infinity);
    const trend = new Float32Array(n);
    const popular = new Float32Array(n);
    for (let lo = 0; lo < n; lo += slice) {
      for (let i = lo, hi = Math.min(n, lo + slice); i < hi; i++) {
        const level = levels[i]!;
        const cap = opts.poolSizes[level];
        if (cap !== undefined) {
          // Newest first among the videos still under their pool's impression cap.
          if (st[i]!.impressions < cap) freshScore[i] = (all[i]!.publishedAt - now) / 1000;
          else if (q[i]! >= median[level]!) pool.set(all[i]!.id, level + 1);
        }
        const t = decayedTrend(st[i]!, now);
        trend[i] = t > 0 ? t : -Infinity;
        popular[i] = Math.log1p(st[i]!.views) + q[i]!;
      }
      if (lo + slice < n) yield;
    }
    const top = (scores: Float32Array) => {
      const out: string[] = [];
      for (const i of topKIndices(scores, LIST_SIZE)) if (scores[i]! > -Infinity) out.push(all[i]!.id);
      return out;
    };
    const freshIds = top(freshScore);
    yield;
    const trending = top(trend);
    yield;
    return { at: now, trending, popular: top(popular), fresh: freshIds, freshSet: new Set(freshIds) };
  }

  function qualityOf(s: VideoStats) {
    const r = smoothedRates(s);
    return r.complete + 2 * r.like + 4 * r.share - r.skip;
  }

  /**
   * Request scratch, reused page after page: the candidate arrays, their feature vectors and
   * scores, and the MF top-K, so a page allocates a few small objects instead of several per
   * candidate (garbage that lands on some pages as collection pauses).
   */
  const scratch = {
    cap: 0,
    ids: [] as string[],
    metas: [] as (VideoMeta | undefined)[],
    stats: [] as (VideoStats | undefined)[],
    src: new Uint8Array(0),
    aff: new Float32Array(0),
    x: new Float32Array(0),
    score: new Float64Array(0),
    key: new Float64Array(0),
    order: new Int32Array(0),
    rank: new Int32Array(0),
    explore: new Int32Array(0),
    fresh: new Uint8Array(0),
    used: new Uint8Array(0),
    mfIdx: new Int32Array(150),
    mfScore: new Float32Array(150),
  };
  function growScratch(need: number) {
    const cap = Math.max(need, 2 * scratch.cap, 512);
    const grown = <T extends Uint8Array | Float32Array | Float64Array | Int32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    scratch.src = grown(scratch.src, cap);
    scratch.aff = grown(scratch.aff, cap);
    scratch.x = grown(scratch.x, cap * NF);
    scratch.score = grown(scratch.score, cap);
    scratch.key = grown(scratch.key, cap);
    scratch.order = grown(scratch.order, cap);
    scratch.rank = grown(scratch.rank, cap);
    scratch.explore = grown(scratch.explore, cap);
    scratch.fresh = grown(scratch.fresh, cap);
    scratch.used = grown(scratch.used, cap);
    scratch.cap = cap;
  }

  const clock = { at: NaN, sin: 0, cos: 1 };
  /** A new feature vector (a view keeps the one it was shown with). */
  function features(userId: string | undefined, v: VideoMeta, now: number, depth: number, affinity: number): Float32Array {
    const x = new Float32Array(NF);
    writeFeatures(x, 0, userId ? users.get(userId) : undefined, v, statsOf(v.id), now, depth, affinity);
    return x;
  }
  /** The feature vector of `v` for user `u` into x[off … off + NF): the request path's allocation-free form. */
  function writeFeatures(x: Float32Array, off: number, u: UserState | undefined, v: VideoMeta, s: VideoStats, now: number, depth: number, affinity: number) {
    // Bayesian-smoothed rates (smoothedRates, inlined: no object per candidate).
    const n = Math.max(s.views, s.impressions);
    const k = priors.strength;
    // A page scores hundreds of candidates at one `now`: the clock features are computed once.
    if (now !== clock.at) {
      const d = new Date(now);
      const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
      clock.at = now;
      clock.sin = Math.sin((hour / 24) * 2 * Math.PI);
      clock.cos = Math.cos((hour / 24) * 2 * Math.PI);
    }
    let tagAffinity = 0;
    if (u) for (let t = 0; t < v.hashtags.length; t++) tagAffinity = Math.max(tagAffinity, u.tags.get(v.hashtags[t]!) ?? 0);
    x[off + fi.bias] = 1;
    x[off + fi.embeddingAffinity] = squash(affinity * 4);
    x[off + fi.creatorAffinity] = squash((u?.creators.get(v.creatorId) ?? 0) / 3);
    x[off + fi.hashtagAffinity] = squash(tagAffinity / 3);
    x[off + fi.completeRate] = (s.completes + priors.complete * k) / (n + k);
    x[off + fi.skipRate] = (s.skips + priors.skip * k) / (n + k);
    x[off + fi.likeRate] = (s.likes + priors.like * k) / (n + k);
    x[off + fi.shareRate] = (s.shares + priors.share * k) / (n + k);
    x[off + fi.freshness] = Math.exp(-Math.max(0, now - v.publishedAt) / (48 * 3600 * 1000));
    x[off + fi.popularity] = Math.log1p(s.views) / 10;
    x[off + fi.trend] = Math.log1p(decayedTrend(s, now)) / 5;
    x[off + fi.followsCreator] = u?.follows.has(v.creatorId) ? 1 : 0;
    x[off + fi.hourSin] = clock.sin;
    x[off + fi.hourCos] = clock.cos;
    x[off + fi.sessionDepth] = Math.min(depth, 50) / 50;
    x[off + fi.duration] = Math.log1p(v.durationMs / 1000) / 6;
    x[off + fi.isNew] = s.impressions < (opts.poolSizes[0] ?? 100) ? 1 : 0;
  }

  function finishView(userId: string, u: UserState) {
    const view = u.view;
    if (!view) return;
    u.view = undefined;
    const v = videos.get(view.videoId);
    if (!v) return;
    const frac = view.durationMs > 0 ? view.watchMs / view.durationMs : 0;
    const o = view.outcome;
    o.watchFraction = frac;
    if (frac >= 0.9) o.complete = true;
    if (!o.complete && (view.watchMs < 2000 || frac < 0.15)) o.skip = true;
    ranker.learn(view.features ?? features(userId, v, view.startedAt, 0, 0), o);
    // A long watch is a positive even without an explicit event.
    if (!o.complete && frac >= 0.5) taste(userId, u, v, 0.5);
  }

  function taste(userId: string, u: UserState, v: VideoMeta, w: number) {
    bump(u.creators, v.creatorId, w);
    for (const t of v.hashtags) bump(u.tags, t, w);
    mf.observe(mfUser(userId), v.id, w);
    u.interactions++;
  }

  const why = (names: string[], v: VideoMeta, sources: SourceName[], explore: boolean) => {
    const words: string[] = [];
    for (const n of names) {
      if (n === 'creatorAffinity') words.push(`You often watch this creator`);
      else if (n === 'hashtagAffinity')
        words.push(
          `You like ${
            v.hashtags
              .slice(0, 2)
              .map((t) => `#${t}`)
              .join(' and ') || 'videos like this'
          }`,
        );
      else if (n === 'embeddingAffinity') words.push('Similar to videos you watched to the end');
      else if (n === 'completeRate' || n === 'likeRate' || n === 'shareRate') words.push('People who see it tend to watch it all and like it');
      else if (n === 'trend' || n === 'popularity') words.push('Popular right now');
      else if (n === 'freshness') words.push('Posted recently');
      else if (n === 'followsCreator') words.push('From a creator you follow');
    }
    if (explore) words.push('A new video we are trying out with a small audience');
    if (sources.includes('following') && !words.includes('From a creator you follow')) words.push('From a creator you follow');
    return [...new Set(words)].slice(0, 3);
  };

  return {
    options: opts,
    upsertVideo,
    removeVideo,
    refreshLists,
    refreshListsSliced,
    hasVideo: (id: string) => videos.has(id),
    get size() {
      return videos.size;
    },
    setFollows(userId: string, creatorIds: Iterable<string>) {
      userOf(userId).follows = new Set(creatorIds);
    },

    /** Apply interaction events in order. Effects on the user's tastes are immediate. */
    learn(events: LearnEvent[]) {
      for (const e of events) {
        const v = videos.get(e.videoId);
        const s = statsOf(e.videoId);
        switch (e.type) {
          case 'impression':
            s.impressions++;
            break;
          case 'play':
            s.views++;
            bumpTrend(s, e.at);
            break;
          case 'complete':
            s.completes++;
            break;
          case 'skip':
            s.skips++;
            break;
          case 'like':
            s.likes++;
            break;
          case 'unlike':
            s.likes = Math.max(0, s.likes - 1);
            break;
          case 'share':
            s.shares++;
            break;
          case 'comment':
            s.comments++;
            break;
          case 'follow':
            s.follows++;
            break;
          case 'not_interested':
            s.notInterested++;
            break;
        }
        if (e.watchMs) s.watchMs += e.type === 'complete' || e.type === 'skip' ? e.watchMs : 0;
        if (!e.userId || !v) continue;
        const u = userOf(e.userId);
        if (e.type === 'impression') {
          if (u.view?.videoId !== e.videoId) finishView(e.userId, u);
          u.seen.add(e.videoId);
          if (u.seen.full) u.seen = new SeenFilter();
          u.view = {
            videoId: e.videoId,
            startedAt: e.at,
            watchMs: 0,
            durationMs: e.durationMs ?? v.durationMs,
            outcome: { complete: false, like: false, share: false, comment: false, follow: false, skip: false, notInterested: false, watchFraction: 0 },
          };
          continue;
        }
        const view = u.view?.videoId === e.videoId ? u.view : undefined;
        if (view) {
          if (e.watchMs) view.watchMs = Math.max(view.watchMs, e.watchMs);
          if (e.durationMs) view.durationMs = e.durationMs;
          if (e.type === 'complete') view.outcome.complete = true;
          if (e.type === 'skip') view.outcome.skip = true;
          if (e.type === 'like') view.outcome.like = true;
          if (e.type === 'share') view.outcome.share = true;
          if (e.type === 'comment') view.outcome.comment = true;
          if (e.type === 'follow') view.outcome.follow = true;
          if (e.type === 'not_interested') view.outcome.notInterested = true;
        }
        if (e.type === 'follow') u.follows.add(v.creatorId);
        if (e.type === 'not_interested') u.hiddenVideos.add(v.id);
        const w = SIGNAL[e.type];
        if (w !== undefined) taste(e.userId, u, v, w);
        if (e.type === 'skip' || e.type === 'complete') finishView(e.userId, u);
      }
    },

    /** Move never-watched videos to their peers' current mean, as the peers' vectors learn (MF ignores this for videos with data). */
    refreshPriors() {
      for (const v of videos.values()) if (statsOf(v.id).impressions === 0) mf.initItem(v.id, priorFor(v));
    },

    /** Full batch sweeps of the factor model over every interaction seen so far (the daily retrain). */
    fitBatch(iterations = 8) {
      mf.fit({ warmStart: true, iterations });
      this.refreshPriors();
    },

    /** Cold start: interests picked on first open count like a few liked videos of each hashtag. */
    seedInterests(userId: string, hashtags: string[]) {
      const u = userOf(userId);
      for (const t of hashtags) bump(u.tags, t, 3);
      u.interactions = Math.max(u.interactions, 1);
    },

    /** The hashtags this user's interest model ranks highest (ads targeting by interests). */
    interestsOf(userId: string, limit: number): string[] {
      const u = users.get(userId);
      if (!u) return [];
      return [...u.tags]
        .filter(([, w]) => w > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([t]) => t);
    },

    /** Read-only, for ads lookalikes: a copy of the person's interest vector (MF user factors), null while they have no history. */
    userVector(userId: string): Float32Array | null {
      const id = mfUser(userId);
      return mf.users.has(id) && mf.history(id).size > 0 ? mf.userVector(id) : null;
    },
    /** Read-only: the people this engine has state for. */
    userIds: (): IterableIterator<string> => users.keys(),

    /** Hashtags by how many catalogue videos carry them. */
    topHashtags(limit: number) {
      return [...byTag]
        .map(([tag, ids]) => ({ tag, videos: ids.size }))
        .filter((x) => x.videos > 0)
        .sort((a, b) => b.videos - a.videos || (a.tag < b.tag ? -1 : 1))
        .slice(0, limit);
    },

    /** "Not interested" in a creator or a hashtag: they leave this user's feed. */
    hide(userId: string, what: { creatorId?: string; hashtag?: string; videoId?: string }) {
      const u = userOf(userId);
      if (what.creatorId) u.hiddenCreators.add(what.creatorId);
      if (what.hashtag) u.hiddenTags.add(what.hashtag);
      if (what.videoId) u.hiddenVideos.add(what.videoId);
    },

    /** Forget this user's tastes and history ("refresh my For You"). */
    reset(userId: string) {
      users.delete(userId);
      resets.set(userId, (resets.get(userId) ?? 0) + 1);
    },

    /**
     * Candidates from every named source → features → ranker → mixer (diversity, exploration
     * slots). `exclude` holds what this feed session already served.
     */
    recommend(userId: string | undefined, limit: number, exclude: ReadonlySet<string>, now: number, depth = 0): Recommendation[] {
      const u = userId ? users.get(userId) : undefined;
      const blocked = (id: string, v: VideoMeta | undefined): boolean => {
        if (v === undefined || exclude.has(id)) return true;
        if (!u) return false;
        if (u.hiddenVideos.has(id) || u.hiddenCreators.has(v.creatorId)) return true;
        for (let t = 0; t < v.hashtags.length; t++) if (u.hiddenTags.has(v.hashtags[t]!)) return true;
        return u.seen.has(id);
      };
      // Candidates live in the reused scratch arrays: index i has id, meta, source bits, MF score.
      const sc = scratch;
      const page = ++pageNo;
      let n = 0;
      const add = (bit: number, id: string, affinity?: number): boolean => {
        const e = entries.get(id);
        if (e !== undefined && e.page === page) {
          sc.src[e.slot]! |= bit;
          return true;
        }
        if (e === undefined || blocked(id, e.meta)) return false;
        if (n === sc.cap) growScratch(n + 1);
        e.page = page;
        e.slot = n;
        sc.ids[n] = id;
        sc.metas[n] = e.meta;
        sc.stats[n] = e.stats;
        sc.src[n] = bit;
        sc.aff[n] = affinity ?? 0;
        n++;
        return true;
      };
      const addAll = (bit: number, ids: Iterable<string>, max: number) => {
        let k = 0;
        for (const id of ids) {
          if (k >= max) break;
          if (add(bit, id)) k++;
        }
      };
      const personal = !!u && u.interactions > 0;
      if (personal) {
        const m = mf.topKInto(mfUser(userId!), 150, exclude, sc.mfIdx, sc.mfScore);
        for (let i = 0; i < m; i++) add(SOURCE_BIT.embedding, mf.itemId(sc.mfIdx[i]!), sc.mfScore[i]);
        for (const t of topPositive(u.tags, 5)) addAll(SOURCE_BIT.hashtag, byTag.get(t) ?? [], 20);
        for (const c of topPositive(u.creators, 5)) addAll(SOURCE_BIT.creator, byCreator.get(c) ?? [], 10);
      }
      if (u)
        for (const c of u.follows)
          addAll(
            SOURCE_BIT.following,
            [...(byCreator.get(c) ?? [])].sort((a, b) => videos.get(b)!.publishedAt - videos.get(a)!.publishedAt),
            10,
          );
      const shared = sharedLists(now);
      addAll(SOURCE_BIT.trending, shared.trending, 60);
      addAll(SOURCE_BIT.popular, shared.popular, personal ? 40 : 120);
      addAll(SOURCE_BIT.fresh, shared.fresh, 60);
      const freshSet = shared.freshSet;
      // Features and scores: one flat feature buffer, no objects per candidate.
      const x = sc.x;
      for (let i = 0; i < n; i++) {
        writeFeatures(x, i * NF, u, sc.metas[i]!, sc.stats[i]!, now, depth, sc.aff[i]!);
        sc.score[i] = ranker.scoreAt(x, i * NF);
        sc.order[i] = i;
      }
      const score = sc.score;
      // Best first; equal scores keep the order the sources proposed them in.
      const order = sc.order.subarray(0, n).sort((a, b) => score[b]! - score[a]! || a - b);
      // Exploration: pool videos still under their impression cap, by score with jitter so each gets a turn.
      let ne = 0;
      for (let r = 0; r < n; r++) {
        const i = order[r]!;
        sc.fresh[i] = freshSet.has(sc.ids[i]!) ? 1 : 0;
        if (sc.fresh[i]) {
          sc.key[i] = score[i]! + opts.random();
          sc.explore[ne++] = i;
        }
      }
      const key = sc.key;
      const rank = sc.rank;
      for (let r = 0; r < n; r++) rank[order[r]!] = r;
      const explore = sc.explore.subarray(0, ne).sort((a, b) => key[b]! - key[a]! || rank[a]! - rank[b]!);
      const exploreSlots = Math.round(limit * opts.exploreShare);
      const exploreAt = new Set(Array.from({ length: exploreSlots }, (_, i) => Math.min(limit - 1, Math.round(((i + 1) * limit) / (exploreSlots + 1)))));
      const out: Recommendation[] = [];
      const used = sc.used;
      used.fill(0, 0, n);
      const perCreator = new Map<string, number>();
      const perTag = new Map<string, number>();
      let prevCreator: string | undefined;
      const diverse = (v: VideoMeta) => {
        if (v.creatorId === prevCreator || (perCreator.get(v.creatorId) ?? 0) >= opts.maxPerCreator) return false;
        for (let t = 0; t < v.hashtags.length; t++) if ((perTag.get(v.hashtags[t]!) ?? 0) >= opts.maxPerHashtag) return false;
        return true;
      };
      // Strict diversity first; if nothing fits, at least never the same creator twice in a row.
      const pick = (list: Int32Array): number => {
        for (let r = 0; r < list.length; r++) if (!used[list[r]!] && diverse(sc.metas[list[r]!]!)) return list[r]!;
        for (let r = 0; r < list.length; r++) if (!used[list[r]!] && sc.metas[list[r]!]!.creatorId !== prevCreator) return list[r]!;
        for (let r = 0; r < list.length; r++) if (!used[list[r]!]) return list[r]!;
        return -1;
      };
      while (out.length < limit) {
        const wantExplore = exploreAt.has(out.length);
        let i = wantExplore ? pick(explore) : -1;
        if (i < 0) i = pick(order);
        if (i < 0) break;
        const v = sc.metas[i]!;
        used[i] = 1;
        perCreator.set(v.creatorId, (perCreator.get(v.creatorId) ?? 0) + 1);
        for (const t of v.hashtags) perTag.set(t, (perTag.get(t) ?? 0) + 1);
        prevCreator = v.creatorId;
        const isExplore = wantExplore && sc.fresh[i] === 1;
        const sources = SOURCES.filter((src) => (sc.src[i]! & SOURCE_BIT[src]) !== 0);
        // Explanations only for what is shown.
        out.push({
          videoId: sc.ids[i]!,
          score: score[i]!,
          sources,
          explore: isExplore,
          why: why(isExplore ? [] : ranker.explain(x.subarray(i * NF, (i + 1) * NF)).map((c) => c.feature), v, sources, isExplore),
        });
      }
      // Drop the references the scratch holds to this page's videos.
      sc.metas.fill(undefined, 0, n);
      sc.stats.fill(undefined, 0, n);
      return out;
    },

    snapshot(): EngineSnapshot {
      return {
        version: 1,
        resets: [...resets],
        mf: Buffer.from(mf.serialize()).toString('base64'),
        ranker: ranker.state(),
        stats: [...stats],
        pool: [...pool],
        users: [...users].map(([id, u]): [string, SavedUser] => [
          id,
          {
            creators: [...u.creators],
            tags: [...u.tags],
            seen: u.seen.toJSON(),
            hiddenVideos: [...u.hiddenVideos],
            hiddenCreators: [...u.hiddenCreators],
            hiddenTags: [...u.hiddenTags],
            interactions: u.interactions,
          },
        ]),
      };
    },
    restore(s: EngineSnapshot) {
      resets.clear();
      for (const [k, v] of s.resets) resets.set(k, v);
      mf = ImplicitMF.deserialize(new Uint8Array(Buffer.from(s.mf, 'base64')));
      ranker = createRanker({ state: s.ranker });
      stats.clear();
      for (const [k, v] of s.stats) stats.set(k, v);
      for (const [id, e] of entries) e.stats = statsOf(id);
      pool.clear();
      for (const [k, v] of s.pool) pool.set(k, v);
      users.clear();
      for (const [id, u] of s.users) {
        users.set(id, {
          creators: new Map(u.creators),
          tags: new Map(u.tags),
          seen: SeenFilter.fromJSON(u.seen),
          hiddenVideos: new Set(u.hiddenVideos),
          hiddenCreators: new Set(u.hiddenCreators),
          hiddenTags: new Set(u.hiddenTags),
          follows: new Set(),
          interactions: u.interactions,
        });
      }
    },
  };
}
export type RecsysEngine = ReturnType<typeof createRecsysEngine>;
