import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { Caption, parseCaption, Visibility, type Video, type VideoUpdate } from '@flick/contracts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import type { MediaRunner } from '../../media/media-runner.ts';
import { validateProbe } from '../../media/probe-rules.ts';
import { AppError, badRequest, forbidden, notFound, unprocessable } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideoRow, VideosRepo } from './videos.repo.ts';

export const sourceKey = (id: string) => `videos/${id}/source`;
export const hlsPrefix = (id: string) => `videos/${id}/hls`;

/** `sound`: `on` / `off` turns this upload's audio into a sound or not; absent follows the account setting. */
export type UploadMeta = { caption?: string; visibility?: string; sound?: string };

export function createVideosService(deps: { repo: VideosRepo; blob: BlobStore; queue: JobQueue; media: MediaRunner; onChanged?: (videoId: string) => void }) {
  const { repo, blob, queue, media } = deps;
  const changed = (id: string) => deps.onChanged?.(id);

  function toDto(v: VideoRow): Video {
    return {
      id: v.id,
      status: v.status,
      phase: v.phase,
      progress: v.progress,
      ...(v.error ? { error: v.error } : {}),
      caption: v.caption,
      hashtags: v.hashtags,
      mentions: v.mentions,
      visibility: v.visibility,
      ...(v.hls_key && v.status === 'ready' ? { hlsUrl: blob.url(v.hls_key) } : {}),
      ...(v.poster_key ? { posterUrl: blob.url(v.poster_key) } : {}),
      thumbnails: v.thumbnails.map((k) => blob.url(k)),
      renditions: v.renditions.map((r) => r.name),
      width: v.width,
      height: v.height,
      durationMs: v.duration_ms,
      createdAt: v.created_at.toISOString(),
      author: { id: v.user_id, username: v.username, displayName: v.display_name, avatarUrl: v.avatar_key ? blob.url(v.avatar_key) : null },
      stats: { views: v.view_count, likes: v.like_count },
    };
  }

  async function canView(v: VideoRow, viewer: SessionUser | undefined) {
    if (viewer?.id === v.user_id) return true;
    if (v.status !== 'ready') return false;
    if (v.visibility === 'public') return true;
    if (v.visibility === 'private' || !viewer) return false;
    return repo.isFollowing(viewer.id, v.user_id);
  }

  async function ownVideo(id: string, user: SessionUser) {
    const v = await repo.byId(id);
    if (!v || !(await canView(v, user))) throw notFound('video');
    if (v.user_id !== user.id) throw forbidden('only the creator can change this video');
    return v;
  }

  function parseMeta(meta: UploadMeta) {
    const caption = Caption.safeParse(meta.caption ?? '');
    if (!caption.success) throw badRequest('invalid_caption', caption.error.issues[0]!.message);
    const visibility = Visibility.safeParse(meta.visibility || 'public');
    if (!visibility.success) throw badRequest('invalid_visibility', 'visibility must be public, followers or private');
    if (meta.sound && meta.sound !== 'on' && meta.sound !== 'off') throw badRequest('invalid_sound', 'sound must be on or off');
    const makeSound = meta.sound ? meta.sound === 'on' : null;
    return { caption: caption.data, visibility: visibility.data, makeSound };
  }

  return {
    toDto,
    canView,
    parseMeta,
    /**
     * Validate an uploaded file and, if it is a usable video, create the video and queue its
     * transcode. The local file is always consumed (moved into the blob store or deleted), so a
     * rejected upload leaves nothing behind.
     */
    async ingestFile(user: SessionUser, localPath: string, meta: UploadMeta): Promise<{ id: string; status: 'processing' }> {
      const id = crypto.randomUUID();
      let stored = false;
      try {
        const { caption, visibility, makeSound } = parseMeta(meta);
        const st = await fsp.stat(localPath);
        if (st.size === 0) throw badRequest('empty_file', 'the file is empty');
        let probe;
        try {
          probe = await media.probe(localPath);
        } catch {
          throw unprocessable('not_a_video', 'the file is not a video we can read (is it truncated or another kind of file?)');
        }
        const verdict = validateProbe(probe);
        if (!verdict.ok) throw unprocessable(verdict.code, verdict.reason);
        const { hashtags, mentions } = parseCaption(caption);
        const mentionIds = await repo.userIdsByUsernames(mentions);
        await blob.putFile(sourceKey(id), localPath);
        stored = true;
        await repo.insert({
          id,
          userId: user.id,
          caption,
          visibility,
          sourceKey: sourceKey(id),
          width: verdict.info.width,
          height: verdict.info.height,
          durationMs: verdict.info.durationMs,
          hasAudio: verdict.info.hasAudio,
          hashtags,
          mentionIds,
          makeSound,
        });
        await queue.send('video.transcode', { videoId: id }, { dedupKey: id });
        return { id, status: 'processing' };
      } catch (err) {
        if (stored) {
          await repo.delete(id).catch(() => undefined);
          await blob.deletePrefix(`videos/${id}/`).catch(() => undefined);
        }
        throw err;
      } finally {
        await fsp.rm(localPath, { force: true });
      }
    },
    async get(id: string, viewer: SessionUser | undefined) {
      const v = await repo.byId(id);
      if (!v || !(await canView(v, viewer))) throw notFound('video');
      return toDto(v);
    },
    async update(id: string, user: SessionUser, patch: VideoUpdate) {
      await ownVideo(id, user);
      if (patch.visibility) await repo.update(id, { visibility: patch.visibility });
      changed(id);
      if (patch.caption !== undefined) {
        const { hashtags, mentions } = parseCaption(patch.caption);
        await repo.updateCaption(id, patch.caption, hashtags, await repo.userIdsByUsernames(mentions));
      }
      return toDto((await repo.byId(id))!);
    },
    /** Rows first, then files: a crash in between leaves only unreferenced files, never a row pointing at nothing. */
    async remove(id: string, user: SessionUser) {
      const v = await ownVideo(id, user);
      await repo.delete(v.id);
      changed(v.id);
      await blob.deletePrefix(`videos/${v.id}/`);
    },
    async retry(id: string, user: SessionUser) {
      const v = await ownVideo(id, user);
      if (v.status !== 'failed') throw new AppError(409, 'not_failed', 'only a failed video can be retried');
      if (!v.source_key || !(await blob.exists(v.source_key))) throw new AppError(409, 'source_missing', 'the original upload is gone; upload the video again');
      await repo.update(id, { status: 'processing', phase: 'queued', progress: 0, error: null });
      await queue.send('video.transcode', { videoId: id }, { dedupKey: id });
      return toDto((await repo.byId(id))!);
    },
  };
}
export type VideosService = ReturnType<typeof createVideosService>;
