import { sql, type RawBuilder } from 'kysely';
import type { Analytics } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { isStaff } from '../discovery/visibility.ts';

const DAY = 24 * 3600 * 1000;
const SOURCES = new Set(['for-you', 'following', 'profile', 'search', 'hashtag', 'challenge', 'share', 'discover', 'direct']);
type Source = Analytics['sources'][number]['source'];

/** Age bands of signed-in viewers (birthdates are required at signup). */
const AGE_BANDS = ['13-17', '18-24', '25-34', '35-44', '45-54', '55+'] as const;

/**
 * Creator analytics from the append-only event log.
 *
 * A view starts at a `play` event; the events after it from the same viewer on the same video (until
 * the next `play`) belong to it. Its watch time is the largest cumulative `watchMs` the player reported,
 * its watch % that over the duration (capped at 100), and it completed if a `complete` event followed.
 * Signed-out viewers share one partition per video, so their overlapping views may merge (a known
 * undercount of their watch time). The traffic source is the `feed` the play event carried.
 */
export function createAnalyticsService(deps: { db: Database; blob: BlobStore; clock: Clock }) {
  const { db, blob, clock } = deps;

  async function creatorFor(viewer: SessionUser, username: string | undefined): Promise<string> {
    if (!username || username.toLowerCase() === viewer.username.toLowerCase()) return viewer.id;
    if (!isStaff(viewer.roles) && !viewer.roles.includes('support')) throw forbidden("only the creator or staff can see a creator's analytics");
    const u = await db
      .selectFrom('users')
      .select('id')
      .where(sql`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
    if (!u) throw notFound('user');
    return u.id;
  }

  /** The per-view CTE, scoped to one creator (and optionally one video) and a time range. */
  function viewsCte(creatorId: string, videoId: string | undefined, from: Date, to: Date): RawBuilder<unknown> {
    return sql`
      ev AS (
        SELECT e.video_id, e.user_id, e.type, e.watch_ms, coalesce(e.duration_ms, v.duration_ms) AS duration_ms, e.feed, e.created_at,
          count(*) FILTER (WHERE e.type = 'play') OVER (PARTITION BY e.video_id, e.user_id ORDER BY e.seq) AS view_no
        FROM events e JOIN videos v ON v.id = e.video_id
        WHERE v.user_id = ${creatorId} ${videoId ? sql`AND v.id = ${videoId}` : sql``}
          AND e.created_at >= ${from} AND e.created_at < ${to}
          AND e.type IN ('play', 'progress', 'complete', 'skip', 'pause', 'replay')
          AND (e.user_id IS NULL OR e.user_id <> v.user_id)
      ),
      views AS (
        SELECT video_id, user_id, view_no,
          min(created_at) AS at,
          min(feed) FILTER (WHERE type = 'play') AS feed,
          coalesce(max(watch_ms), 0) AS watch_ms,
          max(duration_ms) AS duration_ms,
          bool_or(type = 'complete') AS completed
        FROM ev WHERE view_no > 0 GROUP BY video_id, user_id, view_no
      )`;
  }

  const pct = (x: number | null | undefined) => Math.round(Number(x ?? 0) * 1000) / 10;

  async function build(creatorId: string, videoId: string | undefined, days: number): Promise<Analytics> {
    const to = clock.now();
    const from = new Date(Math.floor((to.getTime() - (days - 1) * DAY) / DAY) * DAY);
    const cte = viewsCte(creatorId, videoId, from, to);
    const metricsSql = sql`count(*)::int AS views, coalesce(sum(watch_ms), 0)::bigint AS watch_ms,
      avg(CASE WHEN duration_ms > 0 THEN least(1.0, watch_ms::float8 / duration_ms) END) AS avg_watch,
      avg(CASE WHEN completed THEN 1.0 ELSE 0.0 END) AS completion`;

    const [perVideo, daily, sources, ages, regions, follows, likes, shares, vids] = await Promise.all([
      sql<{ video_id: string; views: number; watch_ms: string; avg_watch: number | null; completion: number | null }>`
        WITH ${cte} SELECT video_id, ${metricsSql} FROM views GROUP BY video_id`.execute(db),
      sql<{ day: string; views: number; watch_ms: string }>`
        WITH ${cte} SELECT to_char(date_trunc('day', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::int AS views, coalesce(sum(watch_ms), 0)::bigint AS watch_ms
        FROM views GROUP BY 1`.execute(db),
      sql<{ feed: string | null; views: number }>`WITH ${cte} SELECT feed, count(*)::int AS views FROM views GROUP BY feed`.execute(db),
      sql<{ band: string | null; viewers: number }>`
        WITH ${cte}
        SELECT CASE WHEN u.id IS NULL THEN NULL
          WHEN age(${to}::timestamptz, u.birthdate) < interval '18 years' THEN '13-17'
          WHEN age(${to}::timestamptz, u.birthdate) < interval '25 years' THEN '18-24'
          WHEN age(${to}::timestamptz, u.birthdate) < interval '35 years' THEN '25-34'
          WHEN age(${to}::timestamptz, u.birthdate) < interval '45 years' THEN '35-44'
          WHEN age(${to}::timestamptz, u.birthdate) < interval '55 years' THEN '45-54'
          ELSE '55+' END AS band,
          CASE WHEN u.id IS NULL THEN count(*) ELSE count(DISTINCT views.user_id) END::int AS viewers
        FROM views LEFT JOIN users u ON u.id = views.user_id GROUP BY 1, u.id IS NULL`.execute(db),
      // Regions: signed-in viewers by the country they set (optional; NULL = not said).
      sql<{ region: string | null; viewers: number }>`
        WITH ${cte}
        SELECT u.country AS region, count(DISTINCT views.user_id)::int AS viewers
        FROM views JOIN users u ON u.id = views.user_id GROUP BY 1`.execute(db),
      videoId
        ? Promise.resolve({ rows: [] as { day: string; n: number }[] })
        : sql<{ day: string; n: number }>`
            SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::int AS n
            FROM follows WHERE followee_id = ${creatorId} AND created_at >= ${from} GROUP BY 1`.execute(db),
      sql<{ video_id: string; n: number }>`
        SELECT l.video_id, count(*)::int AS n FROM likes l JOIN videos v ON v.id = l.video_id
        WHERE v.user_id = ${creatorId} ${videoId ? sql`AND v.id = ${videoId}` : sql``} AND l.created_at >= ${from} GROUP BY l.video_id`.execute(db),
      sql<{ video_id: string; n: number }>`
        SELECT s.video_id, count(*)::int AS n FROM video_shares s JOIN videos v ON v.id = s.video_id
        WHERE v.user_id = ${creatorId} ${videoId ? sql`AND v.id = ${videoId}` : sql``} AND s.created_at >= ${from} GROUP BY s.video_id`.execute(db),
      db
        .selectFrom('videos')
        .select(['id', 'caption', 'poster_key', 'created_at'])
        .where('user_id', '=', creatorId)
        .$if(videoId !== undefined, (q) => q.where('id', '=', videoId!))
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute(),
    ]);
    const followers = await db
      .selectFrom('follows')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('followee_id', '=', creatorId)
      .executeTakeFirstOrThrow();

    const likeBy = new Map(likes.rows.map((r) => [r.video_id, Number(r.n)]));
    const shareBy = new Map(shares.rows.map((r) => [r.video_id, Number(r.n)]));
    const statBy = new Map(perVideo.rows.map((r) => [r.video_id, r]));
    const videoRows = vids.map((v) => {
      const s = statBy.get(v.id);
      return {
        id: v.id,
        caption: v.caption,
        posterUrl: v.poster_key ? blob.url(v.poster_key) : null,
        createdAt: v.created_at.toISOString(),
        views: Number(s?.views ?? 0),
        watchTimeMs: Number(s?.watch_ms ?? 0),
        avgWatchPct: pct(s?.avg_watch),
        completionRate: pct(s?.completion),
        likes: likeBy.get(v.id) ?? 0,
        shares: shareBy.get(v.id) ?? 0,
      };
    });
    const totalViews = videoRows.reduce((a, v) => a + v.views, 0);
    const weighted = (k: 'avgWatchPct' | 'completionRate') =>
      totalViews ? Math.round((videoRows.reduce((a, v) => a + v[k] * v.views, 0) / totalViews) * 10) / 10 : 0;

    const dayViews = new Map(daily.rows.map((r) => [r.day, r]));
    const dayFollows = new Map(follows.rows.map((r) => [r.day, Number(r.n)]));
    const series = Array.from({ length: days }, (_, i) => {
      const date = new Date(from.getTime() + i * DAY).toISOString().slice(0, 10);
      const d = dayViews.get(date);
      return { date, views: Number(d?.views ?? 0), watchTimeMs: Number(d?.watch_ms ?? 0), followersGained: dayFollows.get(date) ?? 0 };
    });

    const sourceCounts = new Map<Source, number>();
    for (const r of sources.rows) {
      const s: Source = r.feed && SOURCES.has(r.feed) ? (r.feed as Source) : 'unknown';
      sourceCounts.set(s, (sourceCounts.get(s) ?? 0) + Number(r.views));
    }
    const bandCounts = new Map(ages.rows.filter((r) => r.band).map((r) => [r.band!, Number(r.viewers)]));

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      days,
      totals: {
        views: totalViews,
        watchTimeMs: videoRows.reduce((a, v) => a + v.watchTimeMs, 0),
        avgWatchPct: weighted('avgWatchPct'),
        completionRate: weighted('completionRate'),
        likes: videoRows.reduce((a, v) => a + v.likes, 0),
        shares: videoRows.reduce((a, v) => a + v.shares, 0),
        followers: Number(followers.n),
        followersGained: series.reduce((a, d) => a + d.followersGained, 0),
      },
      daily: series,
      sources: [...sourceCounts].map(([source, views]) => ({ source, views })).sort((a, b) => b.views - a.views),
      audience: {
        ageBands: AGE_BANDS.map((band) => ({ band, viewers: bandCounts.get(band) ?? 0 })),
        unknownViewers: ages.rows.filter((r) => !r.band).reduce((a, r) => a + Number(r.viewers), 0),
        regions: regions.rows
          .filter((r) => r.region)
          .map((r) => ({ region: r.region!, viewers: Number(r.viewers) }))
          .sort((a, b) => b.viewers - a.viewers || a.region.localeCompare(b.region)),
        unknownRegionViewers: regions.rows.filter((r) => !r.region).reduce((a, r) => a + Number(r.viewers), 0),
      },
      videos: videoRows.sort((a, b) => b.views - a.views || b.createdAt.localeCompare(a.createdAt)),
    };
  }

  return {
    async overview(viewer: SessionUser, days: number, username?: string) {
      return build(await creatorFor(viewer, username), undefined, days);
    },
    async video(viewer: SessionUser, videoId: string, days: number) {
      const v = await db.selectFrom('videos').select(['id', 'user_id']).where('id', '=', videoId).executeTakeFirst();
      if (!v) throw notFound('video');
      if (v.user_id !== viewer.id && !isStaff(viewer.roles) && !viewer.roles.includes('support')) {
        // Someone else's video: as if it did not exist, unless they are staff.
        throw forbidden("only the creator or staff can see a video's analytics");
      }
      return build(v.user_id, v.id, days);
    },
  };
}
export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

const CSV_FORMULA = /^[=+\-@\t\r]/;
/** One CSV cell: quoted when needed, and text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const s = CSV_FORMULA.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function analyticsCsv(a: Analytics, kind: 'videos' | 'daily' | 'audience'): string {
  const rows: (string | number)[][] =
    kind === 'audience'
      ? [
          ['dimension', 'value', 'viewers'],
          ...a.audience.ageBands.map((b) => ['age_band', b.band, b.viewers]),
          ['age_band', 'unknown (signed out)', a.audience.unknownViewers],
          ...a.audience.regions.map((r) => ['region', r.region, r.viewers]),
          ['region', 'not set', a.audience.unknownRegionViewers],
          ['region', 'unknown (signed out)', a.audience.unknownViewers],
        ]
      : kind === 'daily'
        ? [
            ['date', 'views', 'watch_time_seconds', 'followers_gained'],
            ...a.daily.map((d) => [d.date, d.views, Math.round(d.watchTimeMs / 1000), d.followersGained]),
          ]
        : [
            ['video_id', 'created_at', 'caption', 'views', 'watch_time_seconds', 'avg_watch_pct', 'completion_pct', 'likes', 'shares'],
            ...a.videos.map((v) => [
              v.id,
              v.createdAt,
              v.caption,
              v.views,
              Math.round(v.watchTimeMs / 1000),
              v.avgWatchPct,
              v.completionRate,
              v.likes,
              v.shares,
            ]),
          ];
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
