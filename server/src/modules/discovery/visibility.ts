import { sql, type RawBuilder } from 'kysely';

/**
 * Who may see what in discovery surfaces (search, hashtags, trends, challenges, public pages), as SQL
 * conditions over a video's author column. Public, ready videos only (the caller filters those); on top:
 * no private accounts unless the viewer follows them, nothing from someone who blocked the viewer or whom
 * the viewer blocked.
 */
export function authorVisible(authorCol: string, viewerId: string | undefined): RawBuilder<boolean> {
  const author = sql.ref(authorCol);
  if (!viewerId) return sql<boolean>`NOT EXISTS (SELECT 1 FROM users pu WHERE pu.id = ${author} AND pu.is_private)`;
  return sql<boolean>`(${author} = ${viewerId}
    OR (NOT EXISTS (SELECT 1 FROM users pu WHERE pu.id = ${author} AND pu.is_private)
        OR EXISTS (SELECT 1 FROM follows pf WHERE pf.follower_id = ${viewerId} AND pf.followee_id = ${author})))
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${author} AND b.blocked_id = ${viewerId}) OR (b.blocker_id = ${viewerId} AND b.blocked_id = ${author}))`;
}

/** A user row is visible to the viewer in people search and suggestions: not blocked either way. */
export function userNotBlocked(userCol: string, viewerId: string | undefined): RawBuilder<boolean> {
  if (!viewerId) return sql<boolean>`true`;
  const u = sql.ref(userCol);
  return sql<boolean>`NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ${u} AND b.blocked_id = ${viewerId}) OR (b.blocker_id = ${viewerId} AND b.blocked_id = ${u}))`;
}

export const isStaff = (roles: readonly string[]) => roles.includes('admin') || roles.includes('moderator');
