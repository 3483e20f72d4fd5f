import type { Profile, VideoList } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import type { IdentityService, SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';

export function createSocialService(deps: { db: Database; identity: IdentityService; videosRepo: VideosRepo; videos: VideosService }) {
  const { db, identity, videosRepo, videos } = deps;

  async function userOr404(username: string) {
    const u = await identity.byUsername(username);
    if (!u) throw notFound('user');
    return u;
  }

  async function profileOf(userId: string, viewer: SessionUser | undefined): Promise<Profile> {
    const u = (await identity.byId(userId))!;
    const counts = await db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('follows')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('followee_id', '=', userId)
          .as('followers'),
        eb
          .selectFrom('follows')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('follower_id', '=', userId)
          .as('following'),
        eb
          .selectFrom('videos')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('user_id', '=', userId)
          .where('status', '=', 'ready')
          .where('visibility', '=', 'public')
          .as('videos'),
      ])
      .executeTakeFirstOrThrow();
    return {
      ...identity.summary(u),
      bio: u.bio,
      followers: Number(counts.followers),
      following: Number(counts.following),
      videos: Number(counts.videos),
      isFollowing: viewer ? await videosRepo.isFollowing(viewer.id, userId) : false,
      isMe: viewer?.id === userId,
    };
  }

  async function listVideos(userId: string, viewer: SessionUser | undefined, limit: number, cursor: string | undefined): Promise<VideoList> {
    const isMe = viewer?.id === userId;
    const follows = !isMe && viewer ? await videosRepo.isFollowing(viewer.id, userId) : false;
    const { rows, nextCursor } = await videosRepo.page('created_at', limit, cursor, (q) => {
      const own = q.where('videos.user_id', '=', userId);
      return isMe ? own : own.where('videos.status', '=', 'ready').where('videos.visibility', 'in', follows ? ['public', 'followers'] : ['public']);
    });
    return { items: rows.map((r) => videos.toDto(r)), nextCursor };
  }

  return {
    async profile(username: string, viewer: SessionUser | undefined) {
      return profileOf((await userOr404(username)).id, viewer);
    },
    async follow(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      if (u.id === viewer.id) throw badRequest('cannot_follow_self', 'you cannot follow yourself');
      await db
        .insertInto('follows')
        .values({ follower_id: viewer.id, followee_id: u.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return profileOf(u.id, viewer);
    },
    async unfollow(viewer: SessionUser, username: string) {
      const u = await userOr404(username);
      await db.deleteFrom('follows').where('follower_id', '=', viewer.id).where('followee_id', '=', u.id).execute();
      return profileOf(u.id, viewer);
    },
    async userVideos(username: string, viewer: SessionUser | undefined, limit: number, cursor?: string) {
      return listVideos((await userOr404(username)).id, viewer, limit, cursor);
    },
    myVideos: (viewer: SessionUser, limit: number, cursor?: string) => listVideos(viewer.id, viewer, limit, cursor),
  };
}
export type SocialService = ReturnType<typeof createSocialService>;
