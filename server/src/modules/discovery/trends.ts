import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../platform/db/db.ts';

export type TrendRow = { tag: string; score: number; people: number; videos: number };

/** Trend window, and the half-life of one person's activity inside it. */
export const TREND_WINDOW_HOURS = 48;
export const TREND_HALF_LIFE_HOURS = 12;
/** The week before the window is the baseline a tag's recent activity is compared with. */
export const BASELINE_DAYS = 7;
/** Fewer distinct people than this never trend (one account, or two, cannot make a trend). */
export const MIN_PEOPLE = 3;

/**
 * Trending hashtags by velocity with time decay, counted by distinct people.
 *
 * Each person contributes at most once per tag: the largest of their decayed actions in the window
 * (posting with the tag 3, a share 3, a like or comment 2, a completed view 1.5, a view 1; decay
 * 2^(-age / half-life)). So a spammer who posts fifty videos or views one a thousand times counts as
 * one person with one action. Velocity: that sum divided by the square root of the tag's usual daily
 * audience (distinct viewers per day over the week before), so a tag that is suddenly busy beats an
 * evergreen one with more, but steady, traffic. Signed-out events carry no person and are not counted.
 */
export async function computeTrending(db: Database, now: Date, limit = 30): Promise<TrendRow[]> {
  const rows = await trendQuery(db, now, limit, {
    table: sql`video_hashtags`,
    key: sql`tag`,
    keep: sql<boolean>`true`,
    videos: sql`(SELECT h.videos FROM hashtags h WHERE h.tag = r.key)`,
  });
  return rows.map((r) => ({ tag: r.key, score: r.score, people: r.people, videos: r.videos }));
}

export type SoundTrendRow = { soundId: string; score: number; people: number; videos: number };

/**
 * Trending sounds, scored exactly like hashtags: a sound's activity is what people do with the videos
 * that use it (`sound_uses`, which points re-uploads of the same audio at the original sound), posting
 * a video with it counts 3, one contribution per person, the same decay, window and baseline. Only
 * sounds in the library (enabled and listed) trend.
 */
export async function computeTrendingSounds(db: Database, now: Date, limit = 30): Promise<SoundTrendRow[]> {
  const rows = await trendQuery(db, now, limit, {
    table: sql`sound_uses`,
    key: sql`sound_id`,
    keep: sql<boolean>`EXISTS (SELECT 1 FROM sounds s WHERE s.id = r.key AND s.enabled AND s.listed)`,
    // Few sounds trend at once, and sound_uses is indexed by sound: count the public videos using each.
    videos: sql`(SELECT count(*) FROM sound_uses x JOIN videos xv ON xv.id = x.video_id
      WHERE x.sound_id = r.key AND xv.status = 'ready' AND xv.visibility = 'public')`,
  });
  return rows.map((r) => ({ soundId: r.key, score: r.score, people: r.people, videos: r.videos }));
}

/**
 * The shared scoring over a (video_id, key) table: hashtags or sounds. `keep` filters the ranked keys
 * and `videos` (how many videos carry the key) are SQL over the ranked row `r` (column `r.key`).
 */
async function trendQuery(
  db: Database,
  now: Date,
  limit: number,
  by: { table: RawBuilder<unknown>; key: RawBuilder<unknown>; keep: RawBuilder<boolean>; videos: RawBuilder<unknown> },
) {
  const tau = (TREND_HALF_LIFE_HOURS * 3600) / Math.LN2;
  const windowStart = new Date(now.getTime() - TREND_WINDOW_HOURS * 3600 * 1000);
  const baseStart = new Date(windowStart.getTime() - BASELINE_DAYS * 24 * 3600 * 1000);
  const { table, key, keep, videos } = by;
  const rows = await sql<{ key: string; score: number; people: string; videos: string }>`
    WITH acts AS (
      SELECT vh.${key} AS key, e.user_id AS uid,
        max(exp(-extract(epoch FROM (${now}::timestamptz - e.created_at)) / ${tau}) *
          CASE e.type WHEN 'share' THEN 3 WHEN 'like' THEN 2 WHEN 'comment' THEN 2 WHEN 'complete' THEN 1.5 ELSE 1 END) AS w
      FROM events e
      JOIN videos v ON v.id = e.video_id AND v.status = 'ready' AND v.visibility = 'public'
      JOIN ${table} vh ON vh.video_id = e.video_id
      WHERE e.created_at > ${windowStart} AND e.created_at <= ${now} AND e.user_id IS NOT NULL
        AND e.user_id <> v.user_id
        AND e.type IN ('play', 'complete', 'like', 'comment', 'share', 'save')
      GROUP BY vh.${key}, e.user_id
      UNION ALL
      SELECT vh.${key}, v.user_id, max(3 * exp(-extract(epoch FROM (${now}::timestamptz - v.published_at)) / ${tau}))
      FROM videos v JOIN ${table} vh ON vh.video_id = v.id
      WHERE v.status = 'ready' AND v.visibility = 'public' AND v.published_at > ${windowStart} AND v.published_at <= ${now}
      GROUP BY vh.${key}, v.user_id
    ),
    per_person AS (SELECT key, uid, max(w) AS w FROM acts GROUP BY key, uid),
    recent AS (SELECT key, sum(w) AS score, count(*) AS people FROM per_person GROUP BY key HAVING count(*) >= ${MIN_PEOPLE}),
    base AS (
      SELECT vh.${key} AS key, count(DISTINCT e.user_id)::float8 / ${BASELINE_DAYS} AS per_day
      FROM events e JOIN ${table} vh ON vh.video_id = e.video_id
      WHERE e.created_at > ${baseStart} AND e.created_at <= ${windowStart} AND e.user_id IS NOT NULL AND e.type = 'play'
        AND vh.${key} IN (SELECT key FROM recent)
      GROUP BY vh.${key}
    )
    SELECT r.key::text AS key, (r.score / sqrt(1 + coalesce(b.per_day, 0)))::float8 AS score, r.people, coalesce(${videos}, 0) AS videos
    FROM recent r LEFT JOIN base b ON b.key = r.key
    WHERE ${keep}
    ORDER BY score DESC, r.key::text
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({ key: r.key, score: Math.round(Number(r.score) * 1000) / 1000, people: Number(r.people), videos: Number(r.videos) }));
}
