import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { JobContext } from '../../platform/queue/jobs.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import type { MediaRunner } from '../../media/media-runner.ts';
import { validateProbe } from '../../media/probe-rules.ts';
import { ladderArgs, masterPlaylist, planLadder, posterArgs, renditionArgs, thumbnailsArgs, type Rendition } from '../../media/hls-ladder.ts';
import type { Metrics } from '../../http/metrics.ts';
import type { VideosRepo } from './videos.repo.ts';
import { hlsPrefix } from './videos.service.ts';

/** A failure that retrying cannot fix (the source is not a usable video). */
class PermanentMediaError extends Error {
  override name = 'PermanentMediaError';
}

const bandwidth = (r: Rendition) => (r.videoBitrateK + r.audioBitrateK) * 1000;

export function createVideoJobs(deps: {
  repo: VideosRepo;
  blob: BlobStore;
  media: MediaRunner;
  metrics: Metrics;
  log: Logger;
  queue: Pick<JobQueue, 'send'>;
  workRoot: string;
  onPublished?: (videoId: string) => void;
}) {
  const { repo, blob, media, metrics, log } = deps;

  async function fail(videoId: string, reason: string) {
    const cur = await repo.raw(videoId);
    if (!cur) return;
    // The lowest rung already plays: keep it playable and say what is missing.
    if (cur.status === 'ready' && cur.hls_key)
      await repo.update(videoId, { phase: 'ready', progress: 100, error: `higher-quality renditions failed: ${reason}` });
    else await repo.update(videoId, { status: 'failed', phase: 'failed', error: reason });
  }

  /** A scratch folder for one job attempt, removed afterwards whatever happens. */
  async function inWorkDir<T>(videoId: string, jobId: string, fn: (work: string) => Promise<T>): Promise<T> {
    const work = path.join(deps.workRoot, `${videoId}-${jobId}`);
    await fsp.rm(work, { recursive: true, force: true });
    await fsp.mkdir(work, { recursive: true });
    try {
      return await fn(work);
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }

  /** Progress writes at most every 700 ms (ffmpeg reports several times a second). */
  function progressWriter(videoId: string) {
    let lastWrite = 0;
    return (p: number) => {
      const now = Date.now();
      if (now - lastWrite < 700) return;
      lastWrite = now;
      // Best effort: a progress write may lose a race with shutdown or deletion; the job's own writes decide.
      void repo.update(videoId, { progress: Math.max(0, Math.min(100, Math.round(p))) }).catch(() => undefined);
    };
  }

  /** Probe the stored original again (cheap, and the file may have changed since upload) and plan its ladder. */
  async function plan(src: string) {
    const probe = await media.probe(src).catch(() => {
      throw new PermanentMediaError('the uploaded file can no longer be read as a video');
    });
    const verdict = validateProbe(probe);
    if (!verdict.ok) throw new PermanentMediaError(verdict.reason);
    const info = verdict.info;
    const ladder = planLadder(info);
    return { info, ladder: ladder as [Rendition, ...Rendition[]], opts: { hasAudio: info.hasAudio, segmentSeconds: 2, fps: info.fps } };
  }

  const weightOfFirst = (rungs: number) => (rungs > 1 ? 0.35 : 0.85);

  /** Failures: permanent ones (or the last attempt) become visible on the video; others are retried. */
  async function onError(job: 'video.transcode' | 'video.ladder', videoId: string, err: unknown, ctx: JobContext) {
    const reason =
      err instanceof PermanentMediaError ? err.message : `transcoding failed: ${(err as Error).message.split('\n').slice(-3).join(' ').slice(0, 400)}`;
    if (err instanceof PermanentMediaError || ctx.isLastAttempt) {
      metrics.job(job, 'failed');
      await fail(videoId, reason);
      if (err instanceof PermanentMediaError) return;
    } else {
      metrics.job(job, 'retry');
      const row = await repo.raw(videoId);
      // A playable video keeps its phase; only a not-yet-playable one goes back to "queued".
      if (row && row.status !== 'ready')
        await repo.update(videoId, { phase: 'queued', error: `attempt ${ctx.attempt} of ${ctx.maxAttempts} failed; retrying` });
    }
    throw err;
  }

  return {
    /**
     * The lowest rung and the poster, published alone so the video plays within seconds. The other
     * rungs are a separate job (video.ladder) on its own queue at low CPU priority, so the next
     * creator's first rendition never waits behind this video's full ladder.
     */
    async transcode({ videoId }: { videoId: string }, ctx: JobContext) {
      const row = await repo.raw(videoId);
      if (!row) return; // deleted before we got to it
      if (row.status === 'ready') {
        // A duplicate delivery, or a crash after publishing: make sure the ladder follows.
        if (row.phase !== 'ready') await deps.queue.send('video.ladder', { videoId }, { dedupKey: videoId });
        return;
      }
      const started = Date.now();
      try {
        await repo.update(videoId, { phase: 'probing', error: null, ...(row.status === 'failed' ? { status: 'processing' as const } : {}) });
        if (!row.source_key) throw new PermanentMediaError('the original upload is missing');
        const prefix = hlsPrefix(videoId);
        const published = await inWorkDir(videoId, ctx.id, (work) =>
          blob.withLocalFile(row.source_key!, async (src) => {
            const { info, ladder, opts } = await plan(src);
            const first = ladder[0];
            const weight = weightOfFirst(ladder.length);
            const hlsDir = path.join(work, 'hls');
            // ffmpeg's HLS muxer does not create folders.
            await fsp.mkdir(path.join(hlsDir, first.name), { recursive: true });
            if (!(await repo.update(videoId, { phase: 'transcoding', progress: 3 }))) return false;
            const progress = progressWriter(videoId);
            const posterFile = path.join(work, 'poster.jpg');
            // The poster is a single frame: make it while the rendition encodes.
            await Promise.all([
              media.run(renditionArgs(src, hlsDir, first, opts), { durationMs: info.durationMs, onProgress: (r) => progress(5 + r * weight * 100) }),
              media.run(posterArgs(src, posterFile, info)),
            ]);
            await fsp.writeFile(path.join(hlsDir, 'master.m3u8'), masterPlaylist([first], { fps: info.fps }));
            await blob.putFile(`${prefix}/${first.name}`, path.join(hlsDir, first.name));
            await blob.putFile(`videos/${videoId}/poster.jpg`, posterFile);
            await blob.putBuffer(`${prefix}/master.m3u8`, await fsp.readFile(path.join(hlsDir, 'master.m3u8')));
            const firstSeconds = (Date.now() - started) / 1000;
            metrics.transcode('first', firstSeconds);
            const ok = await repo.update(videoId, {
              status: 'ready',
              phase: ladder.length > 1 ? 'transcoding' : 'finishing',
              progress: Math.round(5 + weight * 100),
              hls_key: `${prefix}/master.m3u8`,
              poster_key: `videos/${videoId}/poster.jpg`,
              renditions: JSON.stringify([first].map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: bandwidth(r) }))),
              width: info.width,
              height: info.height,
              duration_ms: info.durationMs,
              has_audio: info.hasAudio,
              ...(row.published_at ? {} : { published_at: new Date() }),
            });
            if (ok) log.info({ videoId, rendition: first.name, seconds: firstSeconds }, 'first rendition published');
            return ok;
          }),
        );
        if (!published) return;
        deps.onPublished?.(videoId);
        await deps.queue.send('video.ladder', { videoId }, { dedupKey: videoId });
        metrics.job('video.transcode', 'ok');
      } catch (err) {
        await onError('video.transcode', videoId, err, ctx);
      }
    },

    /** The remaining rungs and the thumbnails, then the master playlist that lists every rung. */
    async ladder({ videoId }: { videoId: string }, ctx: JobContext) {
      const row = await repo.raw(videoId);
      if (!row || row.status !== 'ready' || row.phase === 'ready' || !row.source_key) return;
      const started = Date.now();
      try {
        const prefix = hlsPrefix(videoId);
        await inWorkDir(videoId, ctx.id, (work) =>
          blob.withLocalFile(row.source_key!, async (src) => {
            const { info, ladder, opts } = await plan(src);
            const rest = ladder.slice(1);
            const weight = weightOfFirst(ladder.length);
            const hlsDir = path.join(work, 'hls');
            const progress = progressWriter(videoId);
            if (rest.length) {
              for (const r of rest) await fsp.mkdir(path.join(hlsDir, r.name), { recursive: true });
              await media.run(ladderArgs(src, hlsDir, rest, opts), {
                durationMs: info.durationMs,
                background: true,
                onProgress: (r) => progress(5 + weight * 100 + r * (90 - weight * 100)),
              });
              for (const r of rest) await blob.putFile(`${prefix}/${r.name}`, path.join(hlsDir, r.name));
            }
            if (!(await repo.update(videoId, { phase: 'finishing', progress: 92 }))) return;
            const thumbsDir = path.join(work, 'thumbs');
            await fsp.mkdir(thumbsDir, { recursive: true });
            await media.run(thumbnailsArgs(src, path.join(thumbsDir, 'thumb_%02d.jpg'), info, 6), { background: true });
            const thumbs = (await fsp.readdir(thumbsDir)).filter((f) => f.endsWith('.jpg')).sort();
            for (const t of thumbs) await blob.putFile(`videos/${videoId}/thumbs/${t}`, path.join(thumbsDir, t));
            // Publish the full ladder last, once every variant's files are in place.
            await blob.putBuffer(`${prefix}/master.m3u8`, Buffer.from(masterPlaylist(ladder, { fps: info.fps })));
            const done = await repo.update(videoId, {
              phase: 'ready',
              progress: 100,
              renditions: JSON.stringify(ladder.map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: bandwidth(r) }))),
              thumbnails: JSON.stringify(thumbs.map((t) => `videos/${videoId}/thumbs/${t}`)),
            });
            metrics.transcode('full', (Date.now() - started) / 1000);
            // Deleted while we worked: what we just wrote is an orphan.
            if (!done) await blob.deletePrefix(`videos/${videoId}/`);
          }),
        );
        metrics.job('video.ladder', 'ok');
      } catch (err) {
        await onError('video.ladder', videoId, err, ctx);
      }
    },

    /** Retries are exhausted (possibly by crashes the handler never saw): make the failure visible. */
    async transcodeDead({ videoId }: { videoId: string }) {
      const row = await repo.raw(videoId);
      if (row && row.phase !== 'ready' && row.status !== 'failed') await fail(videoId, 'transcoding did not finish after several attempts');
    },
  };
}
