// Seeded user simulator for short-video feeds. No public short-video interaction log is available
// here, so feed policies are compared on synthetic users with latent topic tastes, fatigue, boredom
// and next-day retention. "ours" is the live engine (server/src/modules/recsys/engine.ts), fed the
// events each view generates in real time.
import { createRecsysEngine, type LearnEvent } from '../../modules/recsys/engine.ts';

export type PolicyName = 'random' | 'popular' | 'ours';
export const POLICIES: PolicyName[] = ['random', 'popular', 'ours'];

export type SimConfig = {
  seed: number;
  users: number;
  days: number;
  videos: number;
  creators: number;
  topics: number;
  /** Hard cap on videos per session. */
  maxSessionVideos: number;
  pageSize: number;
  /** Engine: rebuild the shared lists every this many views (the service does it every 2 s). */
  refreshEvery: number;
  /**
   * Weight of topic-independent appeal (quality², the "viral" part) in interest; the rest is
   * topic match × quality. At 0 only personal taste matters and a global popularity feed has no
   * signal to exploit (it then does no better than random).
   */
  broadAppeal: number;
  /**
   * Users in a day-0 warm-up served uniformly at random, whose events both "popular" (view counts)
   * and "ours" (engine.learn) receive; they are not counted in the metrics. Without it a view-count
   * feed ranks by exposure order, not merit (whatever the first users saw stays on top).
   */
  warmupUsers: number;
};

export const DEFAULT_CONFIG: SimConfig = {
  seed: 1,
  users: 400,
  days: 7,
  videos: 3000,
  creators: 300,
  topics: 30,
  maxSessionVideos: 60,
  pageSize: 10,
  refreshEvery: 200,
  broadAppeal: 0.35,
  warmupUsers: 200,
};

export type PolicyMetrics = {
  policy: PolicyName;
  sessions: number;
  views: number;
  totalWatchHours: number;
  meanSessionMinutes: number;
  meanSessionVideos: number;
  skipRate: number;
  completionRate: number;
  likeRate: number;
  meanInterest: number;
  /** Share of users who had a session on the last day. */
  retentionLastDay: number;
  /** Active users per day (day 1 = everyone). */
  activeByDay: number[];
  /** Share of the catalogue shown at least once. */
  coverage: number;
  /** Pages where the policy returned fewer videos than asked. */
  shortPages: number;
  seconds: number;
};

/** mulberry32: tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

export type SimVideo = {
  id: string;
  creatorId: string;
  topics: [number, number][];
  hashtags: string[];
  quality: number;
  durationMs: number;
  publishedAt: number;
};
export type SimUser = { id: string; taste: Float64Array; patience: number; tasteMax: number };
export type World = { videos: SimVideo[]; users: SimUser[]; warmup: SimUser[]; start: number };

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);

/** The catalogue and the users, a function of the seed only (identical across policies). */
export function buildWorld(cfg: SimConfig): World {
  const r = mulberry32(cfg.seed * 7919 + 17);
  // Topics have Zipf-like popularity (a few broad topics, a long tail): both creators and user
  // tastes draw from it, which is the signal a popularity feed can exploit.
  const zipf = Array.from({ length: cfg.topics }, (_, t) => 1 / Math.pow(t + 1, 0.9));
  const zsum = zipf.reduce((a, b) => a + b, 0);
  const drawTopic = () => {
    let x = r() * zsum;
    for (let t = 0; t < zipf.length; t++) if ((x -= zipf[t]!) <= 0) return t;
    return zipf.length - 1;
  };
  const creators = Array.from({ length: cfg.creators }, (_, i) => ({
    id: `c${i}`,
    topic: drawTopic(),
    quality: clamp(0.55 + 0.2 * normal(r), 0.1, 1),
  }));
  const videos: SimVideo[] = [];
  for (let i = 0; i < cfg.videos; i++) {
    const c = creators[Math.floor(r() * creators.length)]!;
    const main = r() < 0.8 ? c.topic : Math.floor(r() * cfg.topics);
    const topics: [number, number][] = [[main, 1]];
    if (r() < 0.35) {
      const second = Math.floor(r() * cfg.topics);
      if (second !== main) {
        topics[0] = [main, 0.7];
        topics.push([second, 0.3]);
      }
    }
    videos.push({
      id: `v${i}`,
      creatorId: c.id,
      topics,
      hashtags: topics.map(([t]) => `topic${t}`),
      quality: clamp(c.quality + 0.15 * normal(r), 0.05, 1),
      durationMs: Math.round(8000 + r() * 52000),
      // Published over the two weeks before the simulation starts.
      publishedAt: START - Math.floor(r() * 14 * DAY),
    });
  }
  const users: SimUser[] = [];
  for (let i = 0; i < cfg.users + cfg.warmupUsers; i++) {
    const taste = new Float64Array(cfg.topics).fill(0.01);
    const k = 2 + Math.floor(r() * 3);
    for (let j = 0; j < k; j++) taste[drawTopic()]! += -Math.log(1 - r()); // Dirichlet(1)-ish weights
    let sum = 0;
    for (const x of taste) sum += x;
    let max = 0;
    for (let t = 0; t < taste.length; t++) max = Math.max(max, (taste[t]! /= sum));
    users.push({ id: `u${i}`, taste, tasteMax: max, patience: 3 + Math.floor(r() * 6) });
  }
  for (const u of users.slice(cfg.users)) u.id = `w${u.id.slice(1)}`;
  return { videos, users: users.slice(0, cfg.users), warmup: users.slice(cfg.users), start: START };
}

type Policy = {
  page(user: SimUser, served: ReadonlySet<string>, now: number, depth: number): string[];
  observe(events: LearnEvent[]): void;
  endOfDay(now: number): void;
};

function makePolicy(name: PolicyName, world: World, cfg: SimConfig, r: () => number, seenBy: Map<string, Set<string>>, views: Map<string, number>): Policy {
  const ids = world.videos.map((v) => v.id);
  const unseenFirst = (ordered: string[], user: SimUser, served: ReadonlySet<string>) => {
    const seen = seenBy.get(user.id)!;
    const out: string[] = [];
    for (const id of ordered) if (out.length < cfg.pageSize && !served.has(id) && !seen.has(id)) out.push(id);
    for (const id of ordered) if (out.length < cfg.pageSize && !served.has(id) && !out.includes(id)) out.push(id);
    return out;
  };
  if (name === 'random')
    return {
      page(user, served) {
        const shuffled = ids.slice();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        return unseenFirst(shuffled, user, served);
      },
      observe() {},
      endOfDay() {},
    };
  if (name === 'popular') {
    // Ties broken by a fixed random key so the cold start is not "v0, v1, ...".
    const tie = new Map(ids.map((id) => [id, r()]));
    return {
      page(user, served) {
        const ordered = ids.slice().sort((a, b) => (views.get(b) ?? 0) - (views.get(a) ?? 0) || tie.get(a)! - tie.get(b)!);
        return unseenFirst(ordered, user, served);
      },
      observe() {},
      endOfDay() {},
    };
  }
  const engine = createRecsysEngine({ random: r });
  for (const v of world.videos)
    engine.upsertVideo({ id: v.id, creatorId: v.creatorId, hashtags: v.hashtags, publishedAt: v.publishedAt, durationMs: v.durationMs });
  engine.refreshLists(world.start);
  let sinceRefresh = 0;
  let lastNow = world.start;
  return {
    page(user, served, now, depth) {
      lastNow = now;
      return engine.recommend(user.id, cfg.pageSize, served, now, depth).map((x) => x.videoId);
    },
    observe(events) {
      engine.learn(events);
      if (++sinceRefresh >= cfg.refreshEvery) {
        sinceRefresh = 0;
        engine.refreshLists(lastNow);
      }
    },
    endOfDay(now) {
      // The service's daily retrain and prior refresh.
      engine.fitBatch();
      engine.refreshLists(now);
    },
  };
}

/** Run one policy over the same world and the same user randomness. */
export function simulate(policyName: PolicyName, cfg: SimConfig = DEFAULT_CONFIG, world: World = buildWorld(cfg)): PolicyMetrics {
  const t0 = performance.now();
  // Separate streams: user behaviour is identical across policies for identical situations.
  const behaviour = mulberry32(cfg.seed * 104729 + 3);
  const policyRng = mulberry32(cfg.seed * 1299709 + 11);
  const byId = new Map(world.videos.map((v) => [v.id, v]));
  const seenBy = new Map([...world.users, ...world.warmup].map((u) => [u.id, new Set<string>()]));
  const views = new Map<string, number>();
  const policy = makePolicy(policyName, world, cfg, policyRng, seenBy, views);
  const warmupFeed = makePolicy('random', world, cfg, mulberry32(cfg.seed * 15485863 + 5), seenBy, views);
  const shown = new Set<string>();
  let active = world.users.slice();
  const activeByDay: number[] = [];
  let sessions = 0;
  let nViews = 0;
  let watchMs = 0;
  let skips = 0;
  let completes = 0;
  let likes = 0;
  let interestSum = 0;
  let shortPages = 0;

  for (let day = world.warmup.length ? -1 : 0; day < cfg.days; day++) {
    const warm = day < 0;
    if (day === 0) {
      // Warm-up over: only the real users count from here.
      sessions = nViews = watchMs = skips = completes = likes = interestSum = shortPages = 0;
      shown.clear();
    }
    if (!warm) activeByDay.push(active.length);
    const returning: SimUser[] = [];
    const order = warm ? world.warmup.slice() : active.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(behaviour() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let ui = 0; ui < order.length; ui++) {
      const user = order[ui]!;
      let now = world.start + day * DAY + Math.floor((ui / order.length) * DAY * 0.9);
      const served = new Set<string>();
      const recent: number[] = [];
      let boredom = 0;
      let sessionInterest = 0;
      let n = 0;
      let queue: string[] = [];
      sessions++;
      while (n < cfg.maxSessionVideos) {
        if (!queue.length) {
          queue = (warm ? warmupFeed : policy).page(user, served, now, n);
          if (queue.length < cfg.pageSize) shortPages++;
          if (!queue.length) break;
        }
        const v = byId.get(queue.shift()!)!;
        served.add(v.id);
        shown.add(v.id);
        seenBy.get(user.id)!.add(v.id);
        n++;
        // Interest: how much of the video's topic mix the user likes (relative to their top topic) × quality.
        let affinity = 0;
        for (const [t, w] of v.topics) affinity += w * user.taste[t]!;
        affinity = Math.min(1, affinity / user.tasteMax);
        const main = v.topics[0]![0];
        const repeats = recent.filter((t) => t === main).length;
        const fatigue = 1 - 0.07 * repeats;
        const personal = (0.2 + 0.8 * Math.sqrt(affinity)) * (0.35 + 0.65 * v.quality);
        const appeal = (1 - cfg.broadAppeal) * personal + cfg.broadAppeal * v.quality * v.quality;
        const interest = clamp(appeal * fatigue + 0.08 * normal(behaviour), 0, 1);
        recent.push(main);
        if (recent.length > 6) recent.shift();
        interestSum += interest;
        sessionInterest += interest;

        const events: LearnEvent[] = [{ userId: user.id, videoId: v.id, type: 'impression', watchMs: null, durationMs: v.durationMs, at: now }];
        let watched: number;
        if (interest < 0.25) {
          watched = Math.round(400 + behaviour() * 1500);
          events.push({ userId: user.id, videoId: v.id, type: 'play', watchMs: null, durationMs: v.durationMs, at: now });
          events.push({ userId: user.id, videoId: v.id, type: 'skip', watchMs: watched, durationMs: v.durationMs, at: now + watched });
          skips++;
          boredom++;
        } else {
          const frac = clamp(sigmoid((interest - 0.45) * 9) + 0.1 * normal(behaviour), 0.05, 1);
          watched = Math.round(frac * v.durationMs);
          events.push({ userId: user.id, videoId: v.id, type: 'play', watchMs: null, durationMs: v.durationMs, at: now });
          if (frac >= 0.9) {
            completes++;
            if (interest > 0.7 && behaviour() < 0.25) watched += Math.round(v.durationMs * behaviour()); // replay
            events.push({ userId: user.id, videoId: v.id, type: 'complete', watchMs: watched, durationMs: v.durationMs, at: now + watched });
            if (behaviour() < Math.max(0, interest - 0.55) * 1.2) {
              likes++;
              events.push({ userId: user.id, videoId: v.id, type: 'like', watchMs: null, durationMs: null, at: now + watched });
            }
            if (behaviour() < Math.max(0, interest - 0.75) * 0.5)
              events.push({ userId: user.id, videoId: v.id, type: 'share', watchMs: null, durationMs: null, at: now + watched });
          } else if (watched < 2000 || frac < 0.15) {
            events.push({ userId: user.id, videoId: v.id, type: 'skip', watchMs: watched, durationMs: v.durationMs, at: now + watched });
            skips++;
          }
          // A partial watch carries its watch time to the engine on the next impression.
          else events.push({ userId: user.id, videoId: v.id, type: 'progress', watchMs: watched, durationMs: v.durationMs, at: now + watched });
          boredom = interest < 0.4 ? boredom + 1 : Math.max(0, boredom - (interest > 0.6 ? 2 : 1));
        }
        // A view counts once watched for 3 s (the usual qualified-view rule), so skips do not inflate it.
        if (watched >= 3000) views.set(v.id, (views.get(v.id) ?? 0) + 1);
        watchMs += watched;
        nViews++;
        now += watched + 500;
        policy.observe(events);
        if (boredom > user.patience) break;
      }
      // Satisfaction → probability of coming back tomorrow.
      const mean = n ? sessionInterest / n : 0;
      if (behaviour() < sigmoid(8 * (mean - 0.3) + 0.03 * n)) returning.push(user);
    }
    policy.endOfDay(world.start + (day + 1) * DAY);
    if (!warm) active = returning;
  }
  return {
    policy: policyName,
    sessions,
    views: nViews,
    totalWatchHours: watchMs / 3_600_000,
    meanSessionMinutes: sessions ? watchMs / 60_000 / sessions : 0,
    meanSessionVideos: sessions ? nViews / sessions : 0,
    skipRate: nViews ? skips / nViews : 0,
    completionRate: nViews ? completes / nViews : 0,
    likeRate: nViews ? likes / nViews : 0,
    meanInterest: nViews ? interestSum / nViews : 0,
    retentionLastDay: world.users.length ? (activeByDay.at(-1) ?? 0) / world.users.length : 0,
    activeByDay,
    coverage: world.videos.length ? shown.size / world.videos.length : 0,
    shortPages,
    seconds: (performance.now() - t0) / 1000,
  };
}

export function simulateAll(cfg: SimConfig = DEFAULT_CONFIG, policies: PolicyName[] = POLICIES): PolicyMetrics[] {
  const world = buildWorld(cfg);
  return policies.map((p) => simulate(p, cfg, world));
}
