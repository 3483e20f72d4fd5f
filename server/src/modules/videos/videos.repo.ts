import type { Selectable } from 'kysely';
import { decodeCursor, encodeCursor, isTimeCursor } from '../../shared/cursor.ts';
import type { Database } from '../../platform/db/db.ts';
import type { VideosTable } from '../../platform/db/schema.ts';

export type VideoRow = Selectable<VideosTable> & { username: string; display_name: string; avatar_key: string | null; hashtags: string[]; mentions: string[] };

export function createVideosRepo(db: Database) {
  const base = () =>
    db
      .selectFrom('videos')
      .innerJoin('users', 'users.id', 'videos.user_id')
      .selectAll('videos')
      .select(['users.username', 'users.display_name', 'users.avatar_key'])
      .select((eb) => [
        eb.fn
          .coalesce(
            eb
              .selectFrom('video_hashtags')
              .select((e) => e.fn.agg<string[]>('array_agg', ['video_hashtags.tag']).as('t'))
              .whereRef('video_hashtags.video_id', '=', 'videos.id'),
            eb.val<string[]>([]),
          )
          .as('hashtags'),
        eb.fn
          .coalesce(
            eb
              .selectFrom('video_mentions')
              .innerJoin('users as mu', 'mu.id', 'video_mentions.user_id')
              .select((e) => e.fn.agg<string[]>('array_agg', ['mu.username']).as('m'))
              .whereRef('video_mentions.video_id', '=', 'videos.id'),
            eb.val<string[]>([]),
          )
          .as('mentions'),
      ]);
  type Base = ReturnType<typeof base>;
  return {
    base,
    /** A newest-first page by `column` (ties broken by id) with a keyset cursor. */
    async page(column: 'created_at' | 'published_at', limit: number, cursor: string | undefined, filter: (q: Base) => Base) {
      const c = decodeCursor(cursor, isTimeCursor);
      const col = `videos.${column}` as const;
      let q = filter(base()).where(col, 'is not', null);
      if (c) q = q.where((eb) => eb.or([eb(col, '<', new Date(c.t)), eb.and([eb(col, '=', new Date(c.t)), eb('videos.id', '<', c.id)])]));
      const rows = (await q
        .orderBy(col, 'desc')
        .orderBy('videos.id', 'desc')
        .limit(limit + 1)
        .execute()) as VideoRow[];
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const lastAt = last?.[column];
      return { rows: page, nextCursor: rows.length > limit && last && lastAt ? encodeCursor({ t: lastAt.toISOString(), id: last.id }) : null };
    },
    byId: (id: string) => base().where('videos.id', '=', id).executeTakeFirst() as Promise<VideoRow | undefined>,
    byIds: async (ids: string[]) => (ids.length ? ((await base().where('videos.id', 'in', ids).execute()) as VideoRow[]) : []),
    raw: (id: string) => db.selectFrom('videos').selectAll().where('id', '=', id).executeTakeFirst(),
    async insert(v: {
      id: string;
      userId: string;
      caption: string;
      visibility: 'public' | 'followers' | 'private';
      sourceKey: string;
      width: number;
      height: number;
      durationMs: number;
      hasAudio: boolean;
      hashtags: string[];
      mentionIds: string[];
      makeSound?: boolean | null;
    }) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('videos')
          .values({
            id: v.id,
            user_id: v.userId,
            caption: v.caption,
            visibility: v.visibility,
            source_key: v.sourceKey,
            width: v.width,
            height: v.height,
            duration_ms: v.durationMs,
            has_audio: v.hasAudio,
            make_sound: v.makeSound ?? null,
          })
          .execute();
        if (v.hashtags.length)
          await trx
            .insertInto('video_hashtags')
            .values(v.hashtags.map((tag) => ({ video_id: v.id, tag })))
            .execute();
        if (v.mentionIds.length)
          await trx
            .insertInto('video_mentions')
            .values(v.mentionIds.map((user_id) => ({ video_id: v.id, user_id })))
            .execute();
      });
    },
    async updateCaption(id: string, caption: string, hashtags: string[], mentionIds: string[]) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('videos').set({ caption }).where('id', '=', id).execute();
        await trx.deleteFrom('video_hashtags').where('video_id', '=', id).execute();
        await trx.deleteFrom('video_mentions').where('video_id', '=', id).execute();
        if (hashtags.length)
          await trx
            .insertInto('video_hashtags')
            .values(hashtags.map((tag) => ({ video_id: id, tag })))
            .execute();
        if (mentionIds.length)
          await trx
            .insertInto('video_mentions')
            .values(mentionIds.map((user_id) => ({ video_id: id, user_id })))
            .execute();
      });
    },
    /** Returns false when the row is gone (deleted while a job ran). */
    async update(
      id: string,
      patch: Partial<{
        status: 'processing' | 'ready' | 'failed';
        phase: VideoRow['phase'];
        progress: number;
        error: string | null;
        visibility: VideoRow['visibility'];
        renditions: string;
        hls_key: string;
        poster_key: string;
        thumbnails: string;
        published_at: Date;
        width: number;
        height: number;
        duration_ms: number;
        has_audio: boolean;
      }>,
    ) {
      const r = await db.updateTable('videos').set(patch).where('id', '=', id).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async delete(id: string) {
      await db.deleteFrom('videos').where('id', '=', id).execute();
    },
    userIdsByUsernames: async (names: string[]) => {
      if (!names.length) return [];
      const rows = await db
        .selectFrom('users')
        .select('id')
        .where((eb) =>
          eb(
            eb.fn('lower', ['username']),
            'in',
            names.map((n) => n.toLowerCase()),
          ),
        )
        .execute();
      return rows.map((r) => r.id);
    },
    isFollowing: async (followerId: string, followeeId: string) =>
      !!(await db.selectFrom('follows').select('follower_id').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).executeTakeFirst()),
  };
}
export type VideosRepo = ReturnType<typeof createVideosRepo>;
