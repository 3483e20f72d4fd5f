import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Updateable } from 'kysely';
import type { Logger } from 'pino';
import type { StudioRendersTable } from '../../platform/db/schema.ts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { JobContext } from '../../platform/queue/jobs.ts';
import type { MediaRunner } from '../../media/media-runner.ts';
import { buildRenderPlan, type FontFiles } from '../../media/edl/edl-graph.ts';
import { AppError } from '../../http/errors.ts';
import type { VideosService } from '../videos/videos.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { SoundsService } from '../sounds/sounds.service.ts';
import { remixLabel, type StudioService } from './studio.service.ts';

/** DejaVu (fonts-dejavu-core) for the EDL's font names. */
export const DEJAVU: FontFiles = {
  sans: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  'sans-bold': '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  serif: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  mono: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
};

/** A failure retrying cannot fix (a source was deleted or privatised, a permission withdrawn). */
class PermanentRenderError extends Error {
  override name = 'PermanentRenderError';
}

/** Run `fn` with local paths for every key (nested, so remote stores can release temp copies afterwards). */
async function withLocalFiles<T>(blob: BlobStore, keys: string[], fn: (paths: string[]) => Promise<T>, acc: string[] = []): Promise<T> {
  if (acc.length === keys.length) return fn(acc);
  return blob.withLocalFile(keys[acc.length]!, (p) => withLocalFiles(blob, keys, fn, [...acc, p]));
}

export function createStudioJobs(deps: {
  db: Database;
  blob: BlobStore;
  media: MediaRunner;
  log: Logger;
  studio: StudioService;
  videos: VideosService;
  sounds: SoundsService;
  notifications: NotificationsService;
  workRoot: string;
  fonts?: FontFiles;
  /** x264 preset for renders (the result is transcoded again by the HLS pipeline, so speed wins). */
  preset?: string;
}) {
  const { db, blob, media, log, studio } = deps;
  const set = (id: string, patch: Updateable<StudioRendersTable>) =>
    db
      .updateTable('studio_renders')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  const statusOf = async (id: string) => (await db.selectFrom('studio_renders').select('status').where('id', '=', id).executeTakeFirst())?.status;

  return {
    /**
     * Render, then publish through the upload pipeline. The output exists only in a scratch folder
     * until ffmpeg succeeded and the render was not cancelled; ingestFile then moves it into the blob
     * store and queues the HLS transcode. So a failed or cancelled render never publishes anything.
     */
    async render({ renderId }: { renderId: string }, ctx: JobContext) {
      const r = await db
        .selectFrom('studio_renders')
        .innerJoin('users', 'users.id', 'studio_renders.user_id')
        .selectAll('studio_renders')
        .select('users.username')
        .where('studio_renders.id', '=', renderId)
        .executeTakeFirst();
      if (!r || r.video_id || r.status === 'done' || r.status === 'cancelled') return;
      const user = { id: r.user_id, username: r.username, roles: [], isMinor: false };
      // Conditional, so a cancel that lands between the read above and this write wins.
      const started = await db
        .updateTable('studio_renders')
        .set({ status: 'rendering', progress: 0, error: null, attempts: r.attempts + 1, updated_at: new Date() })
        .where('id', '=', renderId)
        .where('status', '!=', 'cancelled')
        .executeTakeFirst();
      if (!started.numUpdatedRows) return;
      const abort = new AbortController();
      const watch = setInterval(() => {
        void statusOf(renderId).then(
          (s) => s === 'cancelled' && abort.abort(new Error('cancelled')),
          () => undefined,
        );
      }, 1000);
      const work = path.join(deps.workRoot, `${renderId}-${ctx.id}`);
      try {
        let resolved;
        try {
          resolved = await studio.resolve(user, r.edl, r.kind);
        } catch (err) {
          // Sources can be deleted, privatised or locked after the render was queued.
          if (err instanceof AppError) throw new PermanentRenderError(err.message);
          throw err;
        }
        const { edl, sources, soundIds } = resolved;
        const soundRows = await Promise.all(soundIds.map((id) => deps.sounds.byId(id)));
        await fsp.rm(work, { recursive: true, force: true });
        await fsp.mkdir(work, { recursive: true });
        const out = path.join(work, 'render.mp4');
        const keys = [...sources.flat().map((v) => v.source_key!), ...soundRows.map((s) => s!.audio_key)];
        await withLocalFiles(blob, keys, async (paths) => {
          let i = 0;
          const clips = sources.map((t) => t.map((v) => ({ path: paths[i++]!, durationMs: v.duration_ms ?? 0, hasAudio: v.has_audio ?? false })));
          const snd = soundRows.map((s) => ({ path: paths[i++]!, durationMs: s!.duration_ms }));
          const plan = buildRenderPlan(edl, { clips, sounds: snd, fonts: deps.fonts ?? DEJAVU }, out, { preset: deps.preset ?? 'veryfast' });
          let last = 0;
          await media.run(plan.args, {
            durationMs: plan.durationMs,
            signal: abort.signal,
            onProgress: (p) => {
              const pct = Math.round(p * 95);
              if (pct >= last + 3) {
                last = pct;
                void set(renderId, { progress: pct }).catch(() => undefined);
              }
            },
          });
        });
        if (abort.signal.aborted || (await statusOf(renderId)) === 'cancelled') return;
        await set(renderId, { status: 'publishing', progress: 96 });
        const accepted = await deps.videos.ingestFile(user, out, { caption: r.caption, visibility: r.visibility });
        const videoId = accepted.id;
        const perms = r.permissions as { duet: boolean; stitch: boolean; remix: boolean; download: boolean };
        await studio.writePermissions(videoId, perms);
        const others = [...new Map(sources.flat().map((v) => [v.id, v])).values()].filter((v) => v.user_id !== user.id);
        if (others.length)
          await db
            .insertInto('remix_sources')
            .values(others.map((v) => ({ video_id: videoId, source_video_id: v.id, source_user_id: v.user_id, source_username: v.username, kind: r.kind })))
            .onConflict((oc) => oc.doNothing())
            .execute();
        await deps.sounds.recordUses(videoId, soundIds);
        await set(renderId, { status: 'done', progress: 100, video_id: videoId, error: null });
        for (const v of others)
          await deps.notifications
            .notify({
              userId: v.user_id,
              type: 'system',
              actorId: user.id,
              videoId,
              text: remixLabel(r.kind, v.username).replace(/ @\S+$/, ' your video'),
              dedupKey: `remix:${videoId}:${v.id}`,
            })
            .catch((err: unknown) => log.warn({ err }, 'remix notification failed'));
      } catch (err) {
        if (abort.signal.aborted) return; // cancelled: the row already says so
        const permanent = err instanceof PermanentRenderError;
        const reason = permanent ? err.message : `render failed: ${(err as Error).message.split('\n').slice(-3).join(' ').slice(0, 400)}`;
        if (permanent || ctx.isLastAttempt) {
          await set(renderId, { status: 'failed', error: reason });
          if (permanent) return;
        } else await set(renderId, { status: 'queued', error: `attempt ${ctx.attempt} of ${ctx.maxAttempts} failed (${reason}); retrying` });
        throw err;
      } finally {
        clearInterval(watch);
        await fsp.rm(work, { recursive: true, force: true });
      }
    },
  };
}
