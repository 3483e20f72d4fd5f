import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Sound, SoundSettings } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { MediaRunner } from '../../media/media-runner.ts';
import { forbidden, notFound, unprocessable } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { decodeFingerprint, encodeFingerprint, fingerprintArgs, fingerprintDistance, fingerprintKeys, MATCH_THRESHOLD } from './fingerprint.ts';

const audioKey = (id: string) => `sounds/${id}/audio.m4a`;
const MAX_SOUND_MS = 10 * 60 * 1000;

type SoundRow = {
  id: string;
  owner_id: string;
  username: string;
  video_id: string | null;
  title: string;
  audio_key: string;
  duration_ms: number;
  enabled: boolean;
  listed: boolean;
  original_sound_id: string | null;
  created_at: Date;
  use_count: number;
};

/**
 * Sounds: every published video's audio (unless its owner said no for that upload or for all of
 * them, or turns the sound off later), uploaded sounds and
 * voice-overs. Re-uploads of the same audio are recognised by Chromaprint fingerprint and counted
 * under the original sound.
 */
export function createSoundsService(deps: { db: Database; blob: BlobStore; media: MediaRunner; workRoot: string }) {
  const { db, blob, media } = deps;

  const base = () =>
    db
      .selectFrom('sounds')
      .innerJoin('users', 'users.id', 'sounds.owner_id')
      .select([
        'sounds.id',
        'sounds.owner_id',
        'users.username',
        'sounds.video_id',
        'sounds.title',
        'sounds.audio_key',
        'sounds.duration_ms',
        'sounds.enabled',
        'sounds.listed',
        'sounds.original_sound_id',
        'sounds.created_at',
      ])
      .select((eb) => eb.selectFrom('sound_uses').select(eb.fn.countAll<number>().as('n')).whereRef('sound_uses.sound_id', '=', 'sounds.id').as('use_count'));

  const toDto = (r: SoundRow): Sound => ({
    id: r.id,
    title: r.title,
    owner: { id: r.owner_id, username: r.username },
    audioUrl: blob.url(r.audio_key),
    durationMs: r.duration_ms,
    originalVideoId: r.video_id,
    useCount: Number(r.use_count ?? 0),
    enabled: r.enabled,
    createdAt: r.created_at.toISOString(),
  });

  const byId = (id: string) => base().where('sounds.id', '=', id).executeTakeFirst() as Promise<SoundRow | undefined>;

  async function inWork<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = path.join(deps.workRoot, crypto.randomUUID());
    await fsp.mkdir(dir, { recursive: true });
    try {
      return await fn(dir);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /** Normalise to AAC and fingerprint; returns the local files. */
  async function prepare(src: string, dir: string) {
    const m4a = path.join(dir, 'audio.m4a');
    const fpFile = path.join(dir, 'fp.raw');
    // prettier-ignore
    await media.run(['-i', src, '-vn', '-sn', '-dn', '-map', '0:a:0', '-t', String(MAX_SOUND_MS / 1000), '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000', '-map_metadata', '-1', '-fflags', '+bitexact', '-movflags', '+faststart', m4a]);
    await media.run(fingerprintArgs(m4a, fpFile));
    const fp = decodeFingerprint(await fsp.readFile(fpFile));
    const probe = await media.probe(m4a);
    const durationMs = Math.round(Number(probe.format.duration ?? 0) * 1000);
    return { m4a, fp, durationMs };
  }

  /** The earliest listed sound with the same audio, if any (candidates by shared keys, confirmed by bit error rate). */
  async function recognise(fp: Uint32Array, excludeOwnerVideo?: string): Promise<string | null> {
    const keys = fingerprintKeys(fp);
    if (!keys.length) return null;
    const cands = await db
      .selectFrom('sound_fp_keys')
      .innerJoin('sounds', 'sounds.id', 'sound_fp_keys.sound_id')
      .select(['sounds.id', 'sounds.fingerprint', 'sounds.original_sound_id', 'sounds.created_at'])
      .select((eb) => eb.fn.countAll<number>().as('hits'))
      .where('sound_fp_keys.key', 'in', keys)
      .$if(!!excludeOwnerVideo, (q) => q.where((eb) => eb.or([eb('sounds.video_id', 'is', null), eb('sounds.video_id', '!=', excludeOwnerVideo!)])))
      .groupBy(['sounds.id', 'sounds.fingerprint', 'sounds.original_sound_id', 'sounds.created_at'])
      .orderBy('hits', 'desc')
      .limit(20)
      .execute();
    let best: { id: string; d: number; at: Date } | undefined;
    for (const c of cands) {
      if (!c.fingerprint) continue;
      const d = fingerprintDistance(fp, decodeFingerprint(c.fingerprint));
      if (d < MATCH_THRESHOLD && (!best || c.created_at < best.at)) best = { id: c.original_sound_id ?? c.id, d, at: c.created_at };
    }
    return best?.id ?? null;
  }

  async function insertSound(v: {
    ownerId: string;
    videoId: string | null;
    title: string;
    m4a: string;
    fp: Uint32Array;
    durationMs: number;
    listed: boolean;
    originalId: string | null;
  }) {
    const id = crypto.randomUUID();
    await blob.putFile(audioKey(id), v.m4a);
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('sounds')
          .values({
            id,
            owner_id: v.ownerId,
            video_id: v.videoId,
            title: v.title,
            audio_key: audioKey(id),
            duration_ms: v.durationMs,
            fingerprint: encodeFingerprint(v.fp),
            original_sound_id: v.originalId,
            listed: v.listed,
          })
          .execute();
        const keys = fingerprintKeys(v.fp);
        if (keys.length)
          await trx
            .insertInto('sound_fp_keys')
            .values(keys.map((key) => ({ key, sound_id: id })))
            .execute();
        if (v.videoId)
          await trx
            .insertInto('sound_uses')
            .values({ video_id: v.videoId, sound_id: v.originalId ?? id })
            .onConflict((oc) => oc.doNothing())
            .execute();
      });
    } catch (err) {
      await blob.deletePrefix(`sounds/${id}/`).catch(() => undefined);
      throw err;
    }
    return id;
  }

  return {
    toDto,
    byId,
    /** Job: a published video's audio becomes a sound (idempotent: one sound per video). */
    async fromVideo(videoId: string) {
      const v = await db
        .selectFrom('videos')
        .innerJoin('users', 'users.id', 'videos.user_id')
        .leftJoin('sound_settings', 'sound_settings.user_id', 'videos.user_id')
        .select(['videos.id', 'videos.user_id', 'videos.source_key', 'videos.has_audio', 'videos.status', 'videos.make_sound', 'users.username'])
        .select('sound_settings.from_uploads')
        .where('videos.id', '=', videoId)
        .executeTakeFirst();
      if (!v || v.status !== 'ready' || !v.has_audio || !v.source_key) return null;
      // The owner's choice for this upload, else their account setting (default: on).
      if (!(v.make_sound ?? v.from_uploads ?? true)) return null;
      const existing = await db.selectFrom('sounds').select('id').where('video_id', '=', videoId).executeTakeFirst();
      if (existing) return existing.id;
      // A render that used library sounds already counts under them; its own mix is still a new sound.
      return inWork((dir) =>
        blob.withLocalFile(v.source_key!, async (src) => {
          const { m4a, fp, durationMs } = await prepare(src, dir);
          const originalId = await recognise(fp, videoId);
          return insertSound({
            ownerId: v.user_id,
            videoId,
            title: `original sound - @${v.username}`,
            m4a,
            fp,
            durationMs,
            listed: !originalId,
            originalId,
          });
        }),
      );
    },

    /** An uploaded audio file (library sound or private voice-over). The local file is always removed. */
    async upload(user: SessionUser, localPath: string, meta: { title?: string; listed?: boolean }) {
      try {
        let probe;
        try {
          probe = await media.probe(localPath);
        } catch {
          throw unprocessable('not_audio', 'file: this is not an audio file we can read');
        }
        const streams = probe.streams;
        const realVideo = streams.some((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
        if (realVideo || !streams.some((s) => s.codec_type === 'audio'))
          throw unprocessable('not_audio', 'file: a sound must be an audio file (no video stream, one audio stream)');
        const ms = Number(probe.format.duration ?? 0) * 1000;
        if (!(ms >= 500)) throw unprocessable('too_short', 'file: a sound lasts at least 0.5 s');
        if (ms > MAX_SOUND_MS) throw unprocessable('too_long', 'file: a sound lasts at most 10 minutes');
        const title = (meta.title ?? '').trim().slice(0, 100) || `sound by @${user.username}`;
        const id = await inWork(async (dir) => {
          const { m4a, fp, durationMs } = await prepare(localPath, dir);
          const originalId = await recognise(fp);
          return insertSound({ ownerId: user.id, videoId: null, title, m4a, fp, durationMs, listed: meta.listed ?? true, originalId });
        });
        return toDto((await byId(id))!);
      } finally {
        await fsp.rm(localPath, { force: true });
      }
    },

    /** Whether `user`'s uploads become sounds when the upload itself did not say (no row: yes). */
    async settings(user: SessionUser): Promise<SoundSettings> {
      const r = await db.selectFrom('sound_settings').select('from_uploads').where('user_id', '=', user.id).executeTakeFirst();
      return { fromUploads: r?.from_uploads ?? true };
    },
    async updateSettings(user: SessionUser, s: SoundSettings): Promise<SoundSettings> {
      await db
        .insertInto('sound_settings')
        .values({ user_id: user.id, from_uploads: s.fromUploads })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ from_uploads: s.fromUploads, updated_at: new Date() }))
        .execute();
      return { fromUploads: s.fromUploads };
    },

    /** A sound usable by `user` in an EDL: enabled and listed, or their own. */
    async usable(id: string, user: SessionUser) {
      const r = await byId(id);
      if (!r || (r.owner_id !== user.id && (!r.enabled || !r.listed))) return undefined;
      return r;
    },

    async recordUses(videoId: string, soundIds: string[]) {
      if (!soundIds.length) return;
      await db
        .insertInto('sound_uses')
        .values([...new Set(soundIds)].map((sound_id) => ({ video_id: videoId, sound_id })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    async list(q: { q?: string; sort: 'trending' | 'new' }) {
      // A sound made from a video's audio is listed only while that video is public and ready (as in search and Discover).
      let query = base().where('sounds.enabled', '=', true).where('sounds.listed', '=', true).where(sql<boolean>`(sounds.video_id IS NULL OR EXISTS (
          SELECT 1 FROM videos sv WHERE sv.id = sounds.video_id AND sv.status = 'ready' AND sv.visibility = 'public'))`);
      if (q.q) query = query.where(sql<boolean>`lower(sounds.title) LIKE ${'%' + q.q.toLowerCase().replace(/[\\%_]/g, '\\$&') + '%'}`);
      if (q.sort === 'new') query = query.orderBy('sounds.created_at', 'desc');
      else
        query = query
          .orderBy(
            (eb) =>
              eb
                .selectFrom('sound_uses')
                .select(eb.fn.countAll<number>().as('n'))
                .whereRef('sound_uses.sound_id', '=', 'sounds.id')
                .where('sound_uses.created_at', '>', sql<Date>`now() - interval '7 days'`),
            'desc',
          )
          .orderBy('sounds.created_at', 'desc');
      const rows = (await query.orderBy('sounds.id').limit(50).execute()) as SoundRow[];
      return { items: rows.map(toDto) };
    },

    async page(id: string, viewer: SessionUser | undefined) {
      const r = await byId(id);
      if (!r || ((!r.enabled || !r.listed) && r.owner_id !== viewer?.id)) throw notFound('sound');
      const vids = await db
        .selectFrom('sound_uses')
        .innerJoin('videos', 'videos.id', 'sound_uses.video_id')
        .innerJoin('users', 'users.id', 'videos.user_id')
        .select(['videos.id', 'users.username', 'videos.poster_key', 'sound_uses.created_at'])
        .where('sound_uses.sound_id', '=', id)
        .where('videos.status', '=', 'ready')
        .where((eb) => eb.or([eb('videos.visibility', '=', 'public'), ...(viewer ? [eb('videos.user_id', '=', viewer.id)] : [])]))
        .orderBy('sound_uses.created_at', 'desc')
        .limit(100)
        .execute();
      const original = vids.filter((v) => v.id === r.video_id);
      const rest = vids.filter((v) => v.id !== r.video_id);
      return {
        sound: toDto(r),
        videos: [...original, ...rest].map((v) => ({
          id: v.id,
          username: v.username,
          posterUrl: v.poster_key ? blob.url(v.poster_key) : null,
          original: v.id === r.video_id,
        })),
      };
    },

    async update(id: string, user: SessionUser, patch: { enabled?: boolean; title?: string }) {
      const r = await byId(id);
      if (!r || (r.owner_id !== user.id && (!r.enabled || !r.listed))) throw notFound('sound');
      if (r.owner_id !== user.id) throw forbidden('only the owner can change this sound');
      await db
        .updateTable('sounds')
        .set({ ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}), ...(patch.title ? { title: patch.title } : {}) })
        .where('id', '=', id)
        .execute();
      return toDto((await byId(id))!);
    },
  };
}
export type SoundsService = ReturnType<typeof createSoundsService>;
