import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { ShareInfo } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import { authorVisible } from '../discovery/visibility.ts';
import { clip, escapeHtml, type PageMeta } from './meta.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The embed player's default size: 9:16, the size TikTok's embeds use. */
const EMBED_W = 325;
const EMBED_H = 578;

type PublicVideo = {
  id: string;
  caption: string;
  poster_key: string | null;
  width: number | null;
  height: number | null;
  view_count: number;
  username: string;
  display_name: string;
};

export type PageResult = { status: 200 | 404; meta: PageMeta | null; title?: string };

export function createShareService(deps: { db: Database; blob: BlobStore; clock: Clock; publicUrl: string; videosRepo: VideosRepo; videos: VideosService }) {
  const { db, blob, clock, publicUrl, videosRepo, videos } = deps;
  const abs = (u: string) => (u.startsWith('/') ? publicUrl + u : u);
  const pageUrl = (id: string) => `${publicUrl}/v/${id}`;
  const embedUrl = (id: string) => `${publicUrl}/embed/${id}`;
  const oembedUrl = (url: string) => `${publicUrl}/api/oembed?format=json&url=${encodeURIComponent(url)}`;

  /**
   * A video that may have a public preview: ready, public, its author's account not private, and nobody
   * blocked between author and viewer. One indexed query (the page budget is 20 ms at p99).
   */
  async function previewable(id: string, viewerId: string | undefined): Promise<PublicVideo | 'missing' | 'hidden'> {
    if (!UUID.test(id)) return 'missing';
    const row = await db
      .selectFrom('videos as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select(['v.id', 'v.caption', 'v.poster_key', 'v.width', 'v.height', 'v.view_count', 'v.status', 'v.visibility', 'u.username', 'u.display_name'])
      .select(sql<boolean>`u.is_private`.as('is_private'))
      .select(viewerId ? authorVisible('v.user_id', viewerId).as('visible') : sql<boolean>`true`.as('visible'))
      .where('v.id', '=', id)
      .executeTakeFirst();
    if (!row) return 'missing';
    if (row.status !== 'ready' || row.visibility !== 'public' || row.is_private || !row.visible) return 'hidden';
    return row;
  }

  function videoMeta(v: PublicVideo, embed: boolean): PageMeta {
    const by = `${v.display_name} (@${v.username})`;
    const caption = clip(v.caption, 200);
    return {
      title: caption ? `${clip(v.caption, 70)} · ${by} on Flick` : `Video by ${by} on Flick`,
      description: `${caption ? `${caption} · ` : ''}${v.view_count} views · Watch @${v.username} on Flick`,
      url: pageUrl(v.id),
      type: 'video.other',
      ...(v.poster_key ? { image: abs(blob.url(v.poster_key)), imageWidth: v.width ?? undefined, imageHeight: v.height ?? undefined } : {}),
      player: { url: embedUrl(v.id), width: EMBED_W, height: EMBED_H },
      oembedUrl: oembedUrl(pageUrl(v.id)),
      noindex: embed,
    };
  }

  const embedCode = (id: string, title: string) =>
    `<iframe src="${escapeHtml(embedUrl(id))}" width="${EMBED_W}" height="${EMBED_H}" style="border:0;border-radius:12px" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen title="${escapeHtml(title)}"></iframe>`;

  async function info(id: string, viewer: SessionUser | undefined): Promise<ShareInfo> {
    const v = await videosRepo.byId(id);
    if (!v || !(await videos.canView(v, viewer))) throw notFound('video');
    if (viewer && viewer.id !== v.user_id) {
      const blocked = await db
        .selectFrom('blocks')
        .select('blocker_id')
        .where((eb) =>
          eb.or([
            eb.and([eb('blocker_id', '=', v.user_id), eb('blocked_id', '=', viewer.id)]),
            eb.and([eb('blocker_id', '=', viewer.id), eb('blocked_id', '=', v.user_id)]),
          ]),
        )
        .executeTakeFirst();
      if (blocked) throw notFound('video');
    }
    const n = await db
      .selectFrom('video_shares')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('video_id', '=', id)
      .executeTakeFirstOrThrow();
    const attribution = new URLSearchParams({ ...(viewer ? { s: viewer.username } : {}), src: 'share' });
    return {
      url: `${pageUrl(id)}?${attribution.toString()}`,
      embedUrl: embedUrl(id),
      embedCode: embedCode(id, `Video by @${v.username} on Flick`),
      shares: Number(n.n),
    };
  }

  return {
    previewable,
    info,

    async share(id: string, viewer: SessionUser | undefined, channel: string): Promise<ShareInfo> {
      await info(id, viewer);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('video_shares')
          .values({ id: crypto.randomUUID(), video_id: id, user_id: viewer?.id ?? null, channel })
          .execute();
        // The engagement module's denormalised counter (feeds and the challenge leaderboard read it).
        await sql`UPDATE videos SET share_count = share_count + 1 WHERE id = ${id}`.execute(trx);
      });
      return info(id, viewer);
    },

    async videoPage(id: string, viewer: SessionUser | undefined, embed = false): Promise<PageResult> {
      const v = await previewable(id, viewer?.id);
      if (v === 'missing') return { status: 404, meta: null, title: 'Video not found · Flick' };
      if (v === 'hidden') return { status: 200, meta: null };
      return { status: 200, meta: videoMeta(v, embed) };
    },

    async profilePage(username: string, viewer: SessionUser | undefined): Promise<PageResult> {
      if (!/^[A-Za-z0-9_.]{1,64}$/.test(username)) return { status: 404, meta: null, title: 'Not found · Flick' };
      const u = await db
        .selectFrom('users as u')
        .select(['u.id', 'u.username', 'u.display_name', 'u.bio', 'u.avatar_key'])
        .select(sql<boolean>`u.is_private`.as('is_private'))
        .select(viewer ? authorVisible('u.id', viewer.id).as('visible') : sql<boolean>`true`.as('visible'))
        .select((eb) => [
          eb
            .selectFrom('follows')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('follows.followee_id', '=', 'u.id')
            .as('followers'),
          eb
            .selectFrom('videos')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('videos.user_id', '=', 'u.id')
            .where('videos.status', '=', 'ready')
            .where('videos.visibility', '=', 'public')
            .as('videos'),
        ])
        .where(sql`lower(u.username)`, '=', username.toLowerCase())
        .executeTakeFirst();
      if (!u) return { status: 404, meta: null, title: 'Not found · Flick' };
      if (u.is_private || !u.visible) return { status: 200, meta: null };
      const name = `${u.display_name} (@${u.username})`;
      const bio = clip(u.bio, 160);
      return {
        status: 200,
        meta: {
          title: `${name} on Flick`,
          description: `${bio ? `${bio} · ` : ''}${Number(u.followers ?? 0)} followers · ${Number(u.videos ?? 0)} videos`,
          url: `${publicUrl}/@${encodeURIComponent(u.username)}`,
          type: 'profile',
          ...(u.avatar_key ? { image: abs(blob.url(u.avatar_key)), imageWidth: 256, imageHeight: 256 } : {}),
        },
      };
    },

    /** A visit through a share link (?src=share&s=<sharer>): counted once per visitor, video and day. */
    async recordVisit(id: string, sharer: string | undefined, visitorKey: string) {
      if (!UUID.test(id)) return;
      const day = clock.now().toISOString().slice(0, 10);
      const visitor = crypto.createHash('sha256').update(`${visitorKey}|${day}`).digest('hex').slice(0, 32);
      const sharerId =
        sharer && /^[A-Za-z0-9_.]{1,64}$/.test(sharer)
          ? ((
              await db
                .selectFrom('users')
                .select('id')
                .where(sql`lower(username)`, '=', sharer.toLowerCase())
                .executeTakeFirst()
            )?.id ?? null)
          : null;
      await db
        .insertInto('share_visits')
        .values({ video_id: id, visitor, day, sharer_id: sharerId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    async oembed(url: string, format: string, maxwidth?: number, maxheight?: number) {
      if (format !== 'json') throw new AppError(501, 'format_not_supported', 'only format=json is supported');
      let u: URL;
      try {
        u = new URL(url, publicUrl);
      } catch {
        throw new AppError(400, 'invalid_url', 'url is not a URL');
      }
      const m = /^\/v\/([^/]+)\/?$/.exec(u.pathname);
      if (u.origin !== new URL(publicUrl).origin || !m?.[1]) throw notFound('video for this URL');
      const v = await previewable(decodeURIComponent(m[1]), undefined);
      if (typeof v === 'string') throw notFound('video');
      // Scale the 9:16 player into maxwidth × maxheight.
      const scale = Math.min(1, (maxwidth ?? EMBED_W) / EMBED_W, (maxheight ?? EMBED_H) / EMBED_H);
      const width = Math.round(EMBED_W * scale);
      const height = Math.round(EMBED_H * scale);
      const title = clip(v.caption, 100) || `Video by @${v.username}`;
      return {
        version: '1.0' as const,
        type: 'video' as const,
        title,
        author_name: v.display_name,
        author_url: `${publicUrl}/@${encodeURIComponent(v.username)}`,
        provider_name: 'Flick',
        provider_url: publicUrl,
        ...(v.poster_key
          ? { thumbnail_url: abs(blob.url(v.poster_key)), ...(v.width && v.height ? { thumbnail_width: v.width, thumbnail_height: v.height } : {}) }
          : {}),
        html: embedCode(v.id, title).replace(`width="${EMBED_W}" height="${EMBED_H}"`, `width="${width}" height="${height}"`),
        width,
        height,
      };
    },
  };
}
export type ShareService = ReturnType<typeof createShareService>;
