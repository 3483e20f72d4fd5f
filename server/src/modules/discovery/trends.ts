import { sql } from 'kysely';
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
  const tau = (TREND_HALF_LIFE_HOURS * 3600) / Math.LN2;
  const windowStart = new Date(now.getTime() - TREND_WINDOW_HOURS * 3600 * 1000);
  const baseStart = new Date(windowStart.getTime() - BASELINE_DAYS * 24 * 3600 * 1000);
  const rows = await sql<{ tag: string; score: number; people: string; videos: string }>`
    WITH acts AS (
      SELECT vh.tag, e.user_id AS uid,
        max(exp(-extract(epoch FROM (${now}::timestamptz - e.created_at)) / ${tau}) *
          CASE e.type WHEN 'share' THEN 3 WHEN 'like' THEN 2 WHEN 'comment' THEN 2 WHEN 'complete' THEN 1.5 ELSE 1 END) AS w
      FROM events e
      JOIN videos v ON v.id = e.video_id AND v.status = 'ready' AND v.visibility = 'public'
      JOIN video_hashtags vh ON vh.video_id = e.video_id
      WHERE e.created_at > ${windowStart} AND e.created_at <= ${now} AND e.user_id IS NOT NULL
        AND e.user_id <> v.user_id
        AND e.type IN ('play', 'complete', 'like', 'comment', 'share', 'save')
      GROUP BY vh.tag, e.user_id
      UNION ALL
      SELECT vh.tag, v.user_id, max(3 * exp(-extract(epoch FROM (${now}::timestamptz - v.published_at)) / ${tau}))
      FROM videos v JOIN video_hashtags vh ON vh.video_id = v.id
      WHERE v.status = 'ready' AND v.visibility = 'public' AND v.published_at > ${windowStart} AND v.published_at <= ${now}
      GROUP BY vh.tag, v.user_id
    ),
    per_person AS (SELECT tag, uid, max(w) AS w FROM acts GROUP BY tag, uid),
    recent AS (SELECT tag, sum(w) AS score, count(*) AS people FROM per_person GROUP BY tag HAVING count(*) >= ${MIN_PEOPLE}),
    base AS (
      SELECT vh.tag, count(DISTINCT e.user_id)::float8 / ${BASELINE_DAYS} AS per_day
      FROM events e JOIN video_hashtags vh ON vh.video_id = e.video_id
      WHERE e.created_at > ${baseStart} AND e.created_at <= ${windowStart} AND e.user_id IS NOT NULL AND e.type = 'play'
        AND vh.tag IN (SELECT tag FROM recent)
      GROUP BY vh.tag
    )
    SELECT r.tag, (r.score / sqrt(1 + coalesce(b.per_day, 0)))::float8 AS score, r.people, coalesce(h.videos, 0) AS videos
    FROM recent r LEFT JOIN base b ON b.tag = r.tag LEFT JOIN hashtags h ON h.tag = r.tag
    ORDER BY score DESC, r.tag
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({ tag: r.tag, score: Math.round(Number(r.score) * 1000) / 1000, people: Number(r.people), videos: Number(r.videos) }));
}
