import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { FeedItem, Video } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { ClientInfo } from '../../http/client.ts';
import { ageOn } from '../identity/age.ts';
import { createAdServer, resultEvent, type AdServer } from './engine/ad-server.ts';
import { ageBandOf, type AdGroupConfig, type Billing, type Viewer } from './engine/types.ts';
import { MICROS_PER_CENT, type AdsBilling } from './ads.billing.ts';
import { sparkAdLive } from './spark.ts';
import { createLookalikeIndex } from './ads.audiences.ts';

export type TrackType = 'viewable' | 'view2s' | 'view6s' | 'q25' | 'q50' | 'q75' | 'q100' | 'follow' | 'profile_visit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Invalid-traffic rules (see docs/ads.md, "Tracking"). */
export const IVT = {
  /** Ad opportunities per network address (or person) an hour beyond which no ads are served. */
  opportunitiesPerHour: 600,
  /** Clicks per network address an hour beyond which clicks are invalid. */
  clicksPerHour: 30,
  /** A click sooner than this after the ad was served cannot be a person's. */
  minClickMs: 400,
  /** Tracking events later than this after serving are refused. */
  maxAgeMs: DAY,
  /** Clock slack allowed between serving and a reported view. */
  slackMs: 750,
};
const QUARTILES = ['q25', 'q50', 'q75', 'q100'] as const;
const COLUMN: Record<TrackType, 'viewable_at' | 'view2s_at' | 'view6s_at' | 'q25_at' | 'q50_at' | 'q75_at' | 'q100_at' | 'followed_at' | 'profile_visit_at'> = {
  viewable: 'viewable_at',
  view2s: 'view2s_at',
  view6s: 'view6s_at',
  q25: 'q25_at',
  q50: 'q50_at',
  q75: 'q75_at',
  q100: 'q100_at',
  follow: 'followed_at',
  profile_visit: 'profile_visit_at',
};

type Imp = {
  id: string;
  adId: string;
  groupId: string;
  campaignId: string;
  advertiserId: string;
  viewerKey: string;
  billing: Billing;
  holdId: string | null;
  servedAt: number;
  charged: number;
  seen: Set<TrackType | 'click'>;
  watchMs: number;
  invalid: string | null;
  landingUrl: string;
};
type AdMeta = { advertiserName: string; ctaText: string; landingUrl: string };
type Lease = { id: string; cents: number; openedAt: number };

const hash = (s: string) => crypto.createHash('sha256').update(s).digest('base64url').slice(0, 22);
export const viewerKeyOf = (user: SessionUser | undefined, client: ClientInfo) =>
  user ? user.id : `anon:${hash(`${client.ip ?? ''}|${client.userAgent ?? ''}`)}`;
function deviceOf(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  if (/iphone|ipad|ipod|ios/i.test(ua)) return 'ios';
  if (/android/i.test(ua)) return 'android';
  return 'desktop';
}
const languageOf = (h: string | undefined) =>
  h
    ?.trim()
    .slice(0, 2)
    .toLowerCase()
    .match(/^[a-z]{2}$/)?.[0];

/** A sliding one-hour counter per key (invalid-traffic rates). */
function hourlyCounter() {
  const m = new Map<string, { start: number; n: number }>();
  return (key: string, now: number) => {
    let c = m.get(key);
    if (!c || now - c.start >= HOUR) {
      if (m.size > 100_000) m.clear();
      m.set(key, (c = { start: now, n: 0 }));
    }
    return ++c.n;
  };
}

/**
 * The ad server in the API process: loads approved ads of active, funded ad groups into the decision
 * engine, fills the feed's ad slots, records every placement (ad_impressions), takes views, clicks and
 * conversions, and moves the money through leases on the ledger (see ads.billing.ts).
 */
export function createAdsRuntime(deps: {
  db: Database;
  clock: Clock;
  log: Logger;
  billing: AdsBilling;
  /** The public origin for click links (read per ad: a test server learns its port after start). */
  publicUrl: () => string;
  /** Video views for the sponsored items (the feed's hydration). */
  hydrate: (ids: string[]) => Promise<Map<string, Video>>;
  /** The recommender's top hashtags for a person (interest targeting). */
  interests?: (userId: string) => string[];
  /** Whether `followerId` follows `creatorId` (a reported follow of a sponsored creator is checked against it). */
  follows?: (followerId: string, creatorId: string) => Promise<boolean>;
  engine?: AdServer;
}) {
  const { db, clock, log, billing } = deps;
  const server = deps.engine ?? createAdServer();
  const meta = new Map<string, AdMeta>();
  /** The ad groups loaded into the engine, as last read (budget and targeting come from here, not the database). */
  const loaded = new Map<string, AdGroupConfig>();
  const leases = new Map<string, Lease>();
  const imps = new Map<string, Imp>();
  const byHold = new Map<string, Imp>();
  const inserts: Record<string, unknown>[] = [];
  const updates = new Map<string, Record<string, unknown>>();
  const profiles = new Map<string, { at: number; ageBand: Viewer['ageBand']; country?: string; engaged: Set<string>; audiences: Set<string> }>();
  /** Who is in the lookalike audiences the loaded groups target. */
  const lookalikes = createLookalikeIndex(db);
  const opportunities = hourlyCounter();
  const clicks = hourlyCounter();
  let timers: NodeJS.Timeout[] = [];
  let flushing: Promise<void> | undefined;
  let settling: Promise<void> | undefined;
  const stats = { served: 0, noAd: 0, blockedOpportunities: 0, invalidEvents: 0 };

  const now = () => clock.now().getTime();

  // ---- loading ------------------------------------------------------------------------------------------------------
  let lastReload = -Infinity;
  async function reload() {
    lastReload = now();
    const t = clock.now();
    const rows = await db
      .selectFrom('ads')
      .innerJoin('ad_groups as g', 'g.id', 'ads.ad_group_id')
      .innerJoin('ad_campaigns as c', 'c.id', 'g.campaign_id')
      .innerJoin('advertisers as adv', 'adv.id', 'c.advertiser_id')
      .select([
        'ads.id as adId',
        'ads.video_id as videoId',
        'ads.cta_text as ctaText',
        'ads.landing_url as landingUrl',
        'adv.name as advertiserName',
        'c.advertiser_id as advertiserId',
        'g.id',
        'g.campaign_id',
        'g.start_at',
        'g.end_at',
        'g.budget_period',
        'g.budget_micros',
        'g.pacing',
        'g.bid_strategy',
        'g.billing',
        'g.bid_micros',
        'g.targeting',
        'g.frequency_cap',
        'g.restricted',
        'g.optimize_for',
      ])
      .where('ads.status', '=', 'active')
      .where('ads.review_status', '=', 'approved')
      .where('g.status', '=', 'active')
      .where('c.status', '=', 'active')
      .where((eb) => eb.or([eb('g.end_at', 'is', null), eb('g.end_at', '>', t)]))
      // A Spark ad runs only while its creator's code is valid (not revoked, not expired).
      .where(sparkAdLive(t))
      .execute();
    // The videos apart, by primary key: joined in, the planner (PGlite keeps no statistics) could scan
    // the videos table once per ad — 2.2 s per reload with 1,000 ads and 10,000 videos.
    const wanted = [...new Set(rows.map((r) => r.videoId))];
    const playable = new Set<string>();
    for (let i = 0; i < wanted.length; i += 1000) {
      const ids = wanted.slice(i, i + 1000);
      for (const v of await db
        .selectFrom('videos')
        .select('id')
        .where('id', 'in', ids)
        .where('status', '=', 'ready')
        .where('visibility', '=', 'public')
        .execute())
        playable.add(v.id);
    }
    const configs = new Map<string, AdGroupConfig>();
    for (const r of rows) {
      if (!playable.has(r.videoId)) continue;
      meta.set(r.adId, { advertiserName: r.advertiserName, ctaText: r.ctaText, landingUrl: r.landingUrl });
      let cfg = configs.get(r.id);
      if (!cfg) {
        cfg = {
          id: r.id,
          campaignId: r.campaign_id,
          advertiserId: r.advertiserId,
          billing: r.billing,
          strategy: r.bid_strategy,
          bidMicros: Number(r.bid_micros),
          budgetMicros: Number(r.budget_micros),
          budgetPeriod: r.budget_period,
          pacing: r.pacing,
          startAt: r.start_at.getTime(),
          endAt: r.end_at ? r.end_at.getTime() : null,
          targeting: r.targeting,
          frequencyCap: r.frequency_cap,
          restricted: r.restricted,
          optimizeFor: r.optimize_for,
          ads: [],
        };
        configs.set(r.id, cfg);
      }
      cfg.ads.push({ id: r.adId, videoId: r.videoId });
    }
    for (const id of [...loaded.keys()]) {
      if (configs.has(id)) continue;
      server.remove(id);
      loaded.delete(id);
    }
    const fresh = [...configs.keys()].filter((id) => !loaded.has(id));
    for (const cfg of configs.values()) {
      server.upsert(cfg, now());
      loaded.set(cfg.id, cfg);
    }
    if (fresh.length) await restore(fresh);
    await lookalikes.sync([...configs.values()].flatMap((c) => c.targeting.audiences ?? []));
  }

  /** What groups already spent and achieved, from their recorded impressions (the same rows as billing and reports). */
  async function restore(groupIds: string[]) {
    const dayStart = new Date(now() - (now() % DAY));
    const rows = await db
      .selectFrom('ad_impressions')
      .select((eb) => [
        'ad_group_id',
        eb.fn.coalesce(eb.fn.sum<number>('charged_micros'), eb.lit(0)).as('total'),
        eb.fn.coalesce(eb.fn.sum<number>('charged_micros').filterWhere('served_at', '>=', dayStart), eb.lit(0)).as('today'),
        eb.fn.count<number>('id').filterWhere('invalid', 'is', null).as('impressions'),
        eb.fn.count<number>('clicked_at').filterWhere('invalid', 'is', null).as('clicks'),
        eb.fn.count<number>('view6s_at').filterWhere('invalid', 'is', null).as('views6s'),
        eb.fn.count<number>('followed_at').filterWhere('invalid', 'is', null).as('follows'),
        eb.fn.count<number>('profile_visit_at').filterWhere('invalid', 'is', null).as('profileVisits'),
      ])
      .where('ad_group_id', 'in', groupIds)
      .groupBy('ad_group_id')
      .execute();
    const conv = await db
      .selectFrom('ad_conversions')
      .select((eb) => ['ad_group_id', eb.fn.countAll<number>().as('n')])
      .where('ad_group_id', 'in', groupIds)
      .groupBy('ad_group_id')
      .execute();
    const convBy = new Map(conv.map((c) => [c.ad_group_id, Number(c.n)]));
    for (const r of rows) {
      const report = server.report(r.ad_group_id);
      if (!report) continue;
      const outcomes = {
        impressions: Number(r.impressions),
        clicks: Number(r.clicks),
        views6s: Number(r.views6s),
        conversions: convBy.get(r.ad_group_id) ?? 0,
        follows: Number(r.follows),
        profileVisits: Number(r.profileVisits),
      };
      const g = await db.selectFrom('ad_groups').select(['budget_period', 'billing', 'optimize_for']).where('id', '=', r.ad_group_id).executeTakeFirst();
      const count = {
        click: outcomes.clicks,
        view6s: outcomes.views6s,
        conversion: outcomes.conversions,
        follow: outcomes.follows,
        profile_visit: outcomes.profileVisits,
      };
      const results = count[resultEvent({ billing: g?.billing ?? 'CPM', optimizeFor: g?.optimize_for })];
      server.restore(r.ad_group_id, {
        spentMicros: Number(g?.budget_period === 'lifetime' ? r.total : r.today),
        spentTotalMicros: Number(r.total),
        outcomes,
        results,
      });
    }
  }

  // ---- money --------------------------------------------------------------------------------------------------------
  /**
   * Keep one open lease per advertiser with live ad groups: renew it when half used or a minute old (posting
   * what was spent), close it when the advertiser has nothing live. The engine may spend only the lease.
   */
  async function settle() {
    await flush();
    const live = new Set([...loaded.values()].map((g) => g.advertiserId));
    for (const advertiserId of new Set([...live, ...leases.keys()])) {
      const lease = leases.get(advertiserId);
      const b = server.balance(advertiserId);
      if (lease) {
        const used = lease.cents * MICROS_PER_CENT - (b?.available ?? lease.cents * MICROS_PER_CENT);
        const age = now() - lease.openedAt;
        const keep = live.has(advertiserId) && used < (lease.cents * MICROS_PER_CENT) / 2 && (age < 60_000 || used === 0) && age < 45 * 60_000;
        if (keep) continue;
        const { carryMicros } = await billing.closeLease(advertiserId, lease.id, used);
        leases.delete(advertiserId);
        server.setBalance(advertiserId, -carryMicros);
        if (!live.has(advertiserId)) continue;
      }
      await open(advertiserId);
    }
  }
  async function open(advertiserId: string) {
    const carry = Number(
      (await db.selectFrom('advertisers').select('spend_carry_micros').where('id', '=', advertiserId).executeTakeFirst())?.spend_carry_micros ?? 0,
    );
    // Reserve what the advertiser's live groups could still spend today (the lease is capped by billing).
    let want = 0;
    for (const g of loaded.values()) {
      if (g.advertiserId !== advertiserId) continue;
      const r = server.report(g.id, now());
      if (r) want += Math.max(0, g.budgetMicros - r.spentMicros - r.heldMicros);
    }
    if (want <= 0) return;
    const id = crypto.randomUUID();
    const cents = await billing.openLease(advertiserId, id, Math.ceil((want + carry) / MICROS_PER_CENT));
    if (cents === null) {
      server.setBalance(advertiserId, 0);
      return;
    }
    leases.set(advertiserId, { id, cents, openedAt: now() });
    server.setBalance(advertiserId, cents * MICROS_PER_CENT - carry);
  }

  /** After a crash: post every lease still open for what its recorded impressions cost. */
  async function recoverLeases() {
    const open = await db.selectFrom('ad_leases').select(['id', 'advertiser_id']).where('state', '=', 'open').execute();
    for (const l of open) {
      const spent = await db
        .selectFrom('ad_impressions')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('charged_micros'), eb.lit(0)).as('m'))
        .where('lease_id', '=', l.id)
        .executeTakeFirstOrThrow();
      const carry = await db.selectFrom('advertisers').select('spend_carry_micros').where('id', '=', l.advertiser_id).executeTakeFirstOrThrow();
      const r = await billing.closeLease(l.advertiser_id, l.id, Number(spent.m) + Number(carry.spend_carry_micros));
      log.info({ leaseId: l.id, postedCents: r.postedCents }, 'ads lease left open by an earlier process settled');
    }
  }

  // ---- recording ----------------------------------------------------------------------------------------------------
  function update(id: string, set: Record<string, unknown>) {
    updates.set(id, { ...updates.get(id), ...set });
  }
  function flush(): Promise<void> {
    if (flushing) return flushing.then(() => flush());
    if (!inserts.length && !updates.size) return Promise.resolve();
    const rows = inserts.splice(0);
    const ups = [...updates];
    updates.clear();
    flushing = (async () => {
      try {
        // In statements of 200 rows with a turn of the event loop between them, so one flush never holds
        // PGlite's (the API's only) thread for long; flush() still resolves only once every row is written.
        for (let i = 0; i < rows.length; i += 200) {
          if (i) await new Promise<void>((r) => setImmediate(r));
          await db
            .insertInto('ad_impressions')
            .values(rows.slice(i, i + 200) as never)
            .execute();
        }
        for (const [id, set] of ups) await db.updateTable('ad_impressions').set(set).where('id', '=', id).execute();
      } catch (err) {
        log.error({ err, rows: rows.length, updates: ups.length }, 'recording ad impressions failed');
      } finally {
        flushing = undefined;
      }
    })();
    return flushing;
  }

  function charge(imp: Imp, micros: number) {
    imp.charged += micros;
    update(imp.id, { charged_micros: imp.charged, lease_id: leases.get(imp.advertiserId)?.id ?? null });
  }

  async function impression(id: string): Promise<Imp | undefined> {
    const hit = imps.get(id);
    if (hit) return hit;
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    await flush();
    const r = await db
      .selectFrom('ad_impressions as i')
      .innerJoin('ads', 'ads.id', 'i.ad_id')
      .selectAll('i')
      .select('ads.landing_url')
      .where('i.id', '=', id)
      .executeTakeFirst();
    if (!r) return undefined;
    const seen = new Set<TrackType | 'click'>();
    for (const [t, col] of Object.entries(COLUMN)) if (r[col]) seen.add(t as TrackType);
    if (r.clicked_at) seen.add('click');
    const imp: Imp = {
      id: r.id,
      adId: r.ad_id,
      groupId: r.ad_group_id,
      campaignId: r.campaign_id,
      advertiserId: r.advertiser_id,
      viewerKey: r.viewer_key,
      billing: r.billing,
      holdId: null, // holds live in memory: a click after a restart is not billed
      servedAt: r.served_at.getTime(),
      charged: Number(r.charged_micros),
      seen,
      watchMs: r.watch_ms,
      invalid: r.invalid,
      landingUrl: r.landing_url,
    };
    imps.set(id, imp);
    return imp;
  }

  /**
   * A follow of the ad video's creator or a visit to their profile after the impression (Promote's goals): counted
   * once per impression, not for invalid ones, a follow only when the viewer really follows the creator now.
   */
  async function attribute(imp: Imp, type: 'follow' | 'profile_visit', user: SessionUser | undefined) {
    if (imp.invalid || imp.seen.has(type) || now() - imp.servedAt < IVT.minClickMs) return false;
    if (type === 'follow') {
      if (!user || !deps.follows) return false;
      const v = await db
        .selectFrom('ads')
        .innerJoin('videos', 'videos.id', 'ads.video_id')
        .select('videos.user_id')
        .where('ads.id', '=', imp.adId)
        .executeTakeFirst();
      if (!v || !(await deps.follows(user.id, v.user_id))) return false;
    }
    imp.seen.add(type);
    update(imp.id, { [COLUMN[type]]: new Date(now()) });
    server.outcome(null, imp.groupId, type);
    return true;
  }

  function markInvalid(imp: Imp, rule: string) {
    if (imp.invalid) return;
    imp.invalid = rule;
    stats.invalidEvents++;
    // Nothing about it is billed: a charge already taken (CPM) is given back.
    if (imp.charged > 0) {
      server.credit(imp.groupId, imp.charged);
      imp.charged = 0;
    }
    update(imp.id, { invalid: rule, charged_micros: 0 });
  }

  async function profileOf(user: SessionUser) {
    const hit = profiles.get(user.id);
    if (hit && now() - hit.at < 10 * 60_000) return hit;
    const u = await db.selectFrom('users').select(['birthdate', 'country']).where('id', '=', user.id).executeTakeFirst();
    const ageBand = u ? ageBandOf(ageOn(u.birthdate.toISOString().slice(0, 10), clock.now())) : '13-17';
    const since = new Date(now() - 7 * DAY);
    const tags = await db
      .selectFrom('events as e')
      .innerJoin('video_hashtags as vh', 'vh.video_id', 'e.video_id')
      .select('vh.tag')
      .distinct()
      .where('e.user_id', '=', user.id)
      .where('e.created_at', '>=', since)
      .where('e.type', 'in', ['like', 'comment', 'share', 'save', 'complete', 'replay', 'follow'])
      .limit(300)
      .execute();
    // Custom audiences: people who engaged with videos of an advertiser's members (audience "engaged:<advertiser id>").
    const engagedWith = await db
      .selectFrom('events as e')
      .innerJoin('videos as v', 'v.id', 'e.video_id')
      .innerJoin('advertiser_members as m', 'm.user_id', 'v.user_id')
      .select('m.advertiser_id')
      .distinct()
      .where('e.user_id', '=', user.id)
      .where('e.created_at', '>=', new Date(now() - 180 * DAY))
      .where('e.type', 'in', ['like', 'comment', 'share', 'save', 'complete', 'follow', 'profile_visit'])
      .limit(500)
      .execute();
    const p = {
      at: now(),
      ageBand,
      country: u?.country ?? undefined,
      engaged: new Set(tags.map((t) => t.tag)),
      audiences: new Set(engagedWith.map((a) => `engaged:${a.advertiser_id}`)),
    };
    if (profiles.size > 50_000) profiles.clear();
    profiles.set(user.id, p);
    return p;
  }

  async function viewerOf(user: SessionUser | undefined, client: ClientInfo): Promise<Viewer> {
    const base = {
      country: client.country?.toUpperCase(),
      language: languageOf(client.acceptLanguage),
      device: deviceOf(client.userAgent),
    };
    // People we know nothing about are treated as minors: no restricted categories, no age-targeted groups.
    if (!user)
      return {
        id: viewerKeyOf(user, client),
        ageBand: '13-17',
        isMinor: true,
        ...base,
        interests: new Set(),
        engagedHashtags: new Set(),
        audiences: new Set(),
      };
    const p = await profileOf(user);
    const similar = lookalikes.of(user.id);
    return {
      id: user.id,
      ageBand: user.isMinor ? '13-17' : p.ageBand,
      isMinor: user.isMinor,
      ...base,
      // No edge country header: the country the person gave in their settings.
      country: base.country ?? p.country,
      interests: new Set(deps.interests?.(user.id) ?? []),
      engagedHashtags: p.engaged,
      audiences: similar ? new Set([...p.audiences, ...similar]) : p.audiences,
    };
  }

  function whyOf(cfg: { targeting: AdGroupConfig['targeting'] } | undefined, v: Viewer): string[] {
    const out = ['This is an ad: an advertiser paid to show it.'];
    const t = cfg?.targeting;
    if (!t) return out;
    const parts: string[] = [];
    if (t.ageBands?.length) parts.push(`aged ${v.ageBand}`);
    if (t.countries?.length && v.country) parts.push(`in ${v.country}`);
    if (t.languages?.length && v.language) parts.push(`who speak "${v.language}"`);
    const tag = t.interests?.find((x) => v.interests.has(x)) ?? t.engagedHashtags?.find((x) => v.engagedHashtags.has(x));
    if (tag) parts.push(`interested in #${tag}`);
    if (t.audiences?.some((a) => a.startsWith('engaged:') && v.audiences.has(a))) parts.push(`who engaged with this advertiser's videos`);
    else if (t.audiences?.some((a) => v.audiences.has(a))) parts.push(`with interests like those of people who engaged with this advertiser`);
    out.push(parts.length ? `The advertiser chose to reach people ${parts.join(', ')}.` : 'The advertiser chose a broad audience.');
    return out;
  }

  // The ad videos' views, cached like the feed's (a removed video leaves the engine at the next reload).
  const videos = new Map<string, { at: number; dto: Video | undefined }>();
  async function videoOf(id: string, t: number) {
    const hit = videos.get(id);
    if (hit && t - hit.at < 30_000) return hit.dto;
    const dto = (await deps.hydrate([id])).get(id);
    if (videos.size > 10_000) videos.clear();
    videos.set(id, { at: t, dto });
    return dto;
  }

  return {
    server,
    stats,
    async start(opts: { follow: boolean }) {
      await recoverLeases();
      await reload();
      await settle();
      if (opts.follow) {
        timers = [
          setInterval(() => void flush(), 100),
          setInterval(() => {
            for (const s of server.expireHolds(now())) {
              const imp = byHold.get(s.holdId);
              byHold.delete(s.holdId);
              if (imp) imp.holdId = null;
            }
          }, 5_000),
          // Leases every 2 s; a full reload (tens of ms on PGlite's one thread with 1,000 ads) every 10 s,
          // since changes made through this process refresh at once (refresh(), videoChanged()).
          setInterval(() => {
            if (settling) return;
            const full = now() - lastReload >= 10_000;
            settling = (full ? reload().then(settle) : settle())
              .catch((err: unknown) => log.warn({ err }, 'ads settle failed'))
              .finally(() => (settling = undefined));
          }, 2_000),
          setInterval(() => {
            const cutoff = now() - 2 * HOUR;
            for (const [id, i] of imps) if (i.servedAt < cutoff) imps.delete(id);
          }, 60_000),
        ];
        for (const t of timers) t.unref();
      }
    },
    /** A video was edited, made private or removed: forget its view and reload soon. */
    videoChanged(id: string) {
      if (!videos.delete(id)) return;
      lastReload = -Infinity;
    },
    /** Load changes now (an ad approved, a group paused…) and fund what became live. */
    async refresh() {
      while (settling) await settling;
      settling = reload()
        .then(settle)
        .finally(() => (settling = undefined));
      await settling;
    },
    flush,
    settle,

    /** The feed's ad slot: an auction for this viewer, recorded as a served impression. */
    async fill(req: { viewer: SessionUser | undefined; session: string; exclude: ReadonlySet<string>; client?: ClientInfo }): Promise<FeedItem | null> {
      if (!server.size) return null;
      const client = req.client ?? {};
      const t = now();
      const viewer = await viewerOf(req.viewer, client);
      if (opportunities(`v:${viewer.id}`, t) > IVT.opportunitiesPerHour || (client.ip && opportunities(`ip:${client.ip}`, t) > IVT.opportunitiesPerHour)) {
        stats.blockedOpportunities++;
        return null;
      }
      const d = server.decide(viewer, t, Math.random, req.exclude);
      if (!d) {
        stats.noAd++;
        return null;
      }
      const m = meta.get(d.adId)!;
      const video = await videoOf(d.videoId, t);
      const imp: Imp = {
        id: crypto.randomUUID(),
        adId: d.adId,
        groupId: d.adGroupId,
        campaignId: d.campaignId,
        advertiserId: d.advertiserId,
        viewerKey: viewer.id,
        billing: d.billing,
        holdId: d.holdId,
        servedAt: t,
        charged: 0,
        seen: new Set(),
        watchMs: 0,
        invalid: null,
        landingUrl: m.landingUrl,
      };
      imp.charged = d.holdId ? 0 : d.priceMicros;
      imps.set(imp.id, imp);
      if (d.holdId) byHold.set(d.holdId, imp);
      inserts.push({
        id: imp.id,
        ad_id: d.adId,
        ad_group_id: d.adGroupId,
        campaign_id: d.campaignId,
        advertiser_id: d.advertiserId,
        viewer_key: viewer.id,
        ip_hash: client.ip ? hash(client.ip) : null,
        billing: d.billing,
        price_micros: d.priceMicros,
        charged_micros: imp.charged,
        lease_id: imp.charged ? (leases.get(d.advertiserId)?.id ?? null) : null,
        hold_id: d.holdId,
        served_at: new Date(t),
      });
      if (!video) {
        // Removed between loading and now: not shown, so not billed.
        markInvalid(imp, 'video_unavailable');
        return null;
      }
      stats.served++;
      return {
        video,
        reason: 'ad',
        why: whyOf(loaded.get(d.adGroupId), viewer),
        sponsored: {
          label: 'Sponsored',
          by: m.advertiserName,
          adId: d.adId,
          impressionId: imp.id,
          cta: { text: m.ctaText, url: `${deps.publicUrl()}/r/ad/${imp.id}` },
        },
      };
    },

    /** Views and quartiles reported by the app. Events of someone else's impression are refused. */
    async track(user: SessionUser | undefined, client: ClientInfo, events: { impressionId: string; type: TrackType; watchMs?: number }[]) {
      const key = viewerKeyOf(user, client);
      let accepted = 0;
      let rejected = 0;
      const order = (e: { type: TrackType }) => ['viewable', 'view2s', 'view6s', ...QUARTILES].indexOf(e.type);
      for (const e of [...events].sort((a, b) => order(a) - order(b))) {
        const imp = await impression(e.impressionId);
        const t = now();
        if (!imp || imp.viewerKey !== key || t - imp.servedAt > IVT.maxAgeMs) {
          rejected++;
          continue;
        }
        accepted++;
        if (imp.seen.has(e.type)) continue;
        if (e.type === 'follow' || e.type === 'profile_visit') {
          await attribute(imp, e.type, user);
          continue;
        }
        imp.seen.add(e.type);
        update(imp.id, { [COLUMN[e.type]]: new Date(t) });
        const elapsed = t - imp.servedAt + IVT.slackMs;
        if (e.watchMs !== undefined && e.watchMs > imp.watchMs) {
          if (e.watchMs > elapsed) markInvalid(imp, 'impossible_watch_time');
          imp.watchMs = Math.min(e.watchMs, 10 * 60_000);
          update(imp.id, { watch_ms: imp.watchMs });
        }
        if ((e.type === 'view2s' && elapsed < 2000) || (e.type === 'view6s' && (elapsed < 6000 || !imp.seen.has('view2s'))))
          markInvalid(imp, 'impossible_sequence');
        const qi = QUARTILES.indexOf(e.type as (typeof QUARTILES)[number]);
        if (qi > 0 && !imp.seen.has(QUARTILES[qi - 1]!)) markInvalid(imp, 'impossible_sequence');
        if (e.type === 'view6s' && !imp.invalid) {
          const s = server.outcome(imp.holdId, imp.groupId, 'view6s');
          if (s?.charged) {
            byHold.delete(imp.holdId!);
            imp.holdId = null;
            charge(imp, s.amountMicros);
          }
        }
      }
      return { accepted, rejected };
    },

    /** A click on the call to action: counted (unless invalid) and forwarded to the landing page with a click id. */
    async click(impressionId: string, user: SessionUser | undefined, client: ClientInfo): Promise<string | null> {
      const imp = await impression(impressionId);
      if (!imp) return null;
      const t = now();
      const url = new URL(imp.landingUrl);
      url.searchParams.set('flick_click', imp.id);
      if (imp.seen.has('click')) return url.toString();
      imp.seen.add('click');
      update(imp.id, { clicked_at: new Date(t) });
      const key = viewerKeyOf(user, client);
      if (t - imp.servedAt < IVT.minClickMs) markInvalid(imp, 'click_too_fast');
      else if (client.ip && clicks(`ip:${client.ip}`, t) > IVT.clicksPerHour) markInvalid(imp, 'click_rate');
      else if (clicks(`v:${key}`, t) > IVT.clicksPerHour) markInvalid(imp, 'click_rate');
      else if (t - imp.servedAt > IVT.maxAgeMs) markInvalid(imp, 'click_too_late');
      if (!imp.invalid) {
        const s = server.outcome(imp.holdId, imp.groupId, 'click');
        if (s?.charged) {
          imp.holdId = null;
          charge(imp, s.amountMicros);
        }
        // A call to action that lands on a Flick profile (Promote's "Visit profile", "Follow") is a profile visit.
        if (imp.landingUrl.startsWith(`${deps.publicUrl()}/@`)) await attribute(imp, 'profile_visit', user);
      }
      return url.toString();
    },

    /**
     * Conversions (pixel or API), deduplicated by (advertiser, event id), attributed to the last click within
     * 28 days (1/7/28-day windows) or, failing that, the last viewed impression within a day.
     */
    async convert(
      advertiserId: string,
      source: 'pixel' | 'api',
      e: { eventId: string; event: string; valueCents: number; clickId?: string; viewerKey?: string; occurredAt?: Date },
    ): Promise<{ duplicate: boolean; attribution: string | null }> {
      await flush();
      const at = e.occurredAt ?? clock.now();
      let imp: { id: string; ad_id: string; ad_group_id: string; campaign_id: string; clicked_at: Date | null; served_at: Date } | undefined;
      if (e.clickId && /^[0-9a-f-]{36}$/.test(e.clickId))
        imp = await db
          .selectFrom('ad_impressions')
          .select(['id', 'ad_id', 'ad_group_id', 'campaign_id', 'clicked_at', 'served_at'])
          .where('id', '=', e.clickId)
          .where('advertiser_id', '=', advertiserId)
          .where('invalid', 'is', null)
          .executeTakeFirst();
      if (!imp && e.viewerKey) {
        const q = db
          .selectFrom('ad_impressions')
          .select(['id', 'ad_id', 'ad_group_id', 'campaign_id', 'clicked_at', 'served_at'])
          .where('advertiser_id', '=', advertiserId)
          .where('viewer_key', '=', e.viewerKey)
          .where('invalid', 'is', null);
        imp =
          (await q
            .where('clicked_at', 'is not', null)
            .where('clicked_at', '>=', new Date(at.getTime() - 28 * DAY))
            .where('clicked_at', '<=', at)
            .orderBy('clicked_at', 'desc')
            .limit(1)
            .executeTakeFirst()) ??
          (await q
            .where('viewable_at', 'is not', null)
            .where('served_at', '>=', new Date(at.getTime() - DAY))
            .where('served_at', '<=', at)
            .orderBy('served_at', 'desc')
            .limit(1)
            .executeTakeFirst());
      }
      let attribution: 'click_1d' | 'click_7d' | 'click_28d' | 'view_1d' | null = null;
      if (imp?.clicked_at) {
        const age = at.getTime() - imp.clicked_at.getTime();
        attribution = age < 0 ? null : age <= DAY ? 'click_1d' : age <= 7 * DAY ? 'click_7d' : age <= 28 * DAY ? 'click_28d' : null;
      } else if (imp) attribution = at.getTime() - imp.served_at.getTime() <= DAY ? 'view_1d' : null;
      if (!attribution) imp = undefined;
      const inserted = await db
        .insertInto('ad_conversions')
        .values({
          advertiser_id: advertiserId,
          event_id: e.eventId,
          source,
          event: e.event,
          value_cents: e.valueCents,
          viewer_key: e.viewerKey ?? null,
          impression_id: imp?.id ?? null,
          ad_id: imp?.ad_id ?? null,
          ad_group_id: imp?.ad_group_id ?? null,
          campaign_id: imp?.campaign_id ?? null,
          attribution,
          occurred_at: at,
        })
        .onConflict((oc) => oc.columns(['advertiser_id', 'event_id']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!inserted) {
        const prior = await db
          .selectFrom('ad_conversions')
          .select('attribution')
          .where('advertiser_id', '=', advertiserId)
          .where('event_id', '=', e.eventId)
          .executeTakeFirst();
        return { duplicate: true, attribution: prior?.attribution ?? null };
      }
      if (imp) server.outcome(null, imp.ad_group_id, 'conversion');
      return { duplicate: false, attribution };
    },

    /** Auction insight of an ad group (average clearing price, minimum bid to win, win rate). */
    insight: (groupId: string) => server.report(groupId, now()),

    async stop() {
      for (const t of timers) clearInterval(t);
      timers = [];
      while (settling) await settling.catch(() => undefined);
      await flush();
      // Post what was spent and release the rest, so no money stays reserved while nothing serves.
      for (const [advertiserId, lease] of [...leases]) {
        const b = server.balance(advertiserId);
        const used = lease.cents * MICROS_PER_CENT - (b?.available ?? lease.cents * MICROS_PER_CENT);
        await billing.closeLease(advertiserId, lease.id, used).catch((err: unknown) => log.warn({ err }, 'closing an ads lease on shutdown failed'));
        leases.delete(advertiserId);
      }
    },
  };
}
export type AdsRuntime = ReturnType<typeof createAdsRuntime>;
