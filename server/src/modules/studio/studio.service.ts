import crypto from 'node:crypto';
import { Edl, EDL_MAX_MS, STITCH_MAX_MS, type RemixPermissions, type Render, type RenderBody } from '@flick/contracts';
import type { z } from 'zod';
import type { Database } from '../../platform/db/db.ts';
import type { BlobStore } from '../../platform/blob/blob.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import { AppError, badRequest, forbidden, notFound } from '../../http/errors.ts';
import { checkEdl, edlDurationMs } from '../../media/edl/edl-graph.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo, VideoRow } from '../videos/videos.repo.ts';
import type { VideosService } from '../videos/videos.service.ts';
import type { SoundsService } from '../sounds/sounds.service.ts';

type Kind = 'edit' | 'duet' | 'stitch' | 'template';
type Perm = RemixPermissions;
const ALL: Perm = { duet: true, stitch: true, remix: true, download: true };
const plural = { duet: 'duets', stitch: 'stitches', remix: 'remixes', download: 'downloads' };
const permFor: Record<Kind, keyof Perm> = { edit: 'remix', template: 'remix', duet: 'duet', stitch: 'stitch' };

const invalid = (field: string, message: string) => badRequest('invalid_edl', `${field}: ${message}`);

/** An EDL checked against the database: every source usable by this user for this kind of remix. */
export type ResolvedEdl = { edl: Edl; sources: VideoRow[][]; soundIds: string[]; durationMs: number };

export const remixLabel = (kind: string, username: string) =>
  kind === 'duet'
    ? `Duet with @${username}`
    : kind === 'stitch'
      ? `Stitched from @${username}`
      : kind === 'template'
        ? `Template by @${username}`
        : `Remix of @${username}`;

export function createStudioService(deps: {
  db: Database;
  blob: BlobStore;
  queue: Pick<JobQueue, 'send'>;
  videosRepo: VideosRepo;
  videos: VideosService;
  sounds: SoundsService;
}) {
  const { db, blob, queue, videosRepo, videos, sounds } = deps;

  async function permissions(videoId: string): Promise<Perm> {
    const r = await db.selectFrom('video_permissions').selectAll().where('video_id', '=', videoId).executeTakeFirst();
    return r ? { duet: r.allow_duet, stitch: r.allow_stitch, remix: r.allow_remix, download: r.allow_download } : { ...ALL };
  }

  async function writePermissions(videoId: string, p: Perm) {
    const row = { allow_duet: p.duet, allow_stitch: p.stitch, allow_remix: p.remix, allow_download: p.download };
    await db
      .insertInto('video_permissions')
      .values({ video_id: videoId, ...row })
      .onConflict((oc) => oc.column('video_id').doUpdateSet(row))
      .execute();
  }

  /**
   * Parse and check an EDL for `user`: schema, sources (own, or someone else's public video whose
   * owner allows this kind of remix), sounds, and the timing checks that need the sources' lengths.
   * Every refusal is a 4xx naming the field.
   */
  async function resolve(user: SessionUser, raw: unknown, kind: Kind, slots?: Record<string, string>): Promise<ResolvedEdl> {
    const parsed = Edl.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(['edl', ...issue.path].join('.'), issue.message);
    }
    const edl = parsed.data;
    // Fill a template's slots with the user's clips.
    for (const [ti, t] of edl.tracks.entries())
      for (const [ci, c] of t.clips.entries()) {
        if (!('slot' in c.source)) continue;
        const id = slots?.[c.source.slot];
        if (!id) throw invalid(`edl.tracks.${ti}.clips.${ci}.source`, `slot "${c.source.slot}" needs one of your clips`);
        c.source = { videoId: id };
      }
    if (kind === 'duet' && edl.layout === 'single') throw invalid('edl.layout', 'a duet puts two tracks side by side or stacked');
    if (kind === 'stitch' && edl.layout !== 'single') throw invalid('edl.layout', 'a stitch is one track');
    const sources: VideoRow[][] = [];
    for (const [ti, t] of edl.tracks.entries()) {
      const row: VideoRow[] = [];
      for (const [ci, c] of t.clips.entries()) {
        const field = `edl.tracks.${ti}.clips.${ci}.source.videoId`;
        const videoId = (c.source as { videoId: string }).videoId;
        const v = await videosRepo.byId(videoId);
        if (!v || !(await videos.canView(v, user)))
          throw new AppError(404, 'source_not_found', `${field}: that video does not exist, was deleted or is not visible to you`);
        if (v.status !== 'ready' || !v.source_key) throw new AppError(409, 'source_not_ready', `${field}: that video is still processing`);
        if (v.user_id !== user.id) {
          if (v.visibility !== 'public') throw forbidden(`${field}: only public videos of other creators can be remixed`, 'source_forbidden');
          const p = await permissions(v.id);
          const need = permFor[kind];
          if (!p[need]) throw forbidden(`${field}: @${v.username} does not allow ${plural[need]} of this video`, 'source_forbidden');
          if (kind === 'stitch' && c.outMs - c.inMs > STITCH_MAX_MS)
            throw invalid(`edl.tracks.${ti}.clips.${ci}.outMs`, `a stitch uses at most ${STITCH_MAX_MS / 1000} s of the original`);
        }
        row.push(v);
      }
      sources.push(row);
    }
    const soundIds: string[] = [];
    const soundMs: number[] = [];
    for (const [i, a] of edl.audio.entries()) {
      const s = await sounds.usable(a.soundId, user);
      if (!s) throw new AppError(404, 'sound_not_found', `edl.audio.${i}.soundId: no such sound (or it was turned off)`);
      soundIds.push(s.id);
      soundMs.push(s.duration_ms);
    }
    const issues = checkEdl(
      edl,
      sources.map((t) => t.map((v) => v.duration_ms ?? 0)),
      soundMs,
      EDL_MAX_MS,
    );
    if (issues.length) throw invalid(`edl.${issues[0]!.path}`, issues[0]!.message);
    return { edl, sources, soundIds, durationMs: edlDurationMs(edl) };
  }

  type RenderRow = {
    id: string;
    status: Render['status'];
    progress: number;
    error: string | null;
    kind: Kind;
    video_id: string | null;
    attempts: number;
    duration_ms: number;
    created_at: Date;
  };
  const toRender = (r: RenderRow): Render => ({
    id: r.id,
    status: r.status,
    progress: r.progress,
    error: r.error,
    kind: r.kind,
    videoId: r.video_id,
    attempts: r.attempts,
    durationMs: r.duration_ms,
    createdAt: r.created_at.toISOString(),
  });

  async function ownRender(id: string, user: SessionUser) {
    const r = await db.selectFrom('studio_renders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || r.user_id !== user.id) throw notFound('render');
    return r;
  }

  return {
    resolve,
    permissions,
    toRender,

    async createRender(user: SessionUser, body: z.output<typeof RenderBody>) {
      let raw = body.edl;
      let kind: Kind = body.kind;
      if (body.templateId) {
        const t = await db.selectFrom('studio_templates').select(['id', 'edl']).where('id', '=', body.templateId).executeTakeFirst();
        if (!t) throw new AppError(404, 'template_not_found', 'templateId: no such template');
        raw = t.edl;
        kind = 'template';
      }
      const resolved = await resolve(user, raw, kind, body.slots);
      const id = crypto.randomUUID();
      await db
        .insertInto('studio_renders')
        .values({
          id,
          user_id: user.id,
          kind,
          edl: JSON.stringify(resolved.edl),
          caption: body.caption,
          visibility: body.visibility,
          permissions: JSON.stringify({ ...ALL, ...body.permissions }),
          template_id: body.templateId ?? null,
          duration_ms: resolved.durationMs,
        })
        .execute();
      if (body.templateId)
        await db
          .updateTable('studio_templates')
          .set((eb) => ({ use_count: eb('use_count', '+', 1) }))
          .where('id', '=', body.templateId)
          .execute();
      if (body.draftId) await db.deleteFrom('studio_drafts').where('id', '=', body.draftId).where('user_id', '=', user.id).execute();
      await queue.send('studio.render', { renderId: id }, { dedupKey: id });
      return toRender(await ownRender(id, user));
    },

    async getRender(id: string, user: SessionUser) {
      return toRender(await ownRender(id, user));
    },

    async cancelRender(id: string, user: SessionUser) {
      const r = await ownRender(id, user);
      if (r.status === 'done' || r.status === 'publishing') throw new AppError(409, 'render_finished', 'this render has already finished');
      await db.updateTable('studio_renders').set({ status: 'cancelled', error: 'cancelled', updated_at: new Date() }).where('id', '=', id).execute();
      return toRender(await ownRender(id, user));
    },

    async retryRender(id: string, user: SessionUser) {
      const r = await ownRender(id, user);
      if (r.status !== 'failed' && r.status !== 'cancelled') throw new AppError(409, 'not_failed', 'only a failed or cancelled render can be retried');
      await db.updateTable('studio_renders').set({ status: 'queued', progress: 0, error: null, updated_at: new Date() }).where('id', '=', id).execute();
      await queue.send('studio.render', { renderId: id }, { dedupKey: id });
      return toRender(await ownRender(id, user));
    },

    async setPermissions(videoId: string, user: SessionUser, patch: Partial<Perm>) {
      const v = await videosRepo.byId(videoId);
      if (!v || !(await videos.canView(v, user))) throw notFound('video');
      if (v.user_id !== user.id) throw forbidden('only the creator can change what others may do with this video');
      const p = { ...(await permissions(videoId)), ...patch };
      await writePermissions(videoId, p);
      return p;
    },
    writePermissions,

    async lineage(videoId: string, viewer: SessionUser | undefined) {
      const v = await videosRepo.byId(videoId);
      if (!v || !(await videos.canView(v, viewer))) throw notFound('video');
      const visible = async (id: string) => {
        const s = await videosRepo.byId(id);
        return s && (await videos.canView(s, viewer)) ? s : undefined;
      };
      const srcRows = await db.selectFrom('remix_sources').selectAll().where('video_id', '=', videoId).orderBy('created_at').execute();
      const sources = [];
      for (const s of srcRows) {
        const sv = await visible(s.source_video_id);
        sources.push({
          videoId: s.source_video_id,
          kind: s.kind as Kind,
          username: s.source_username,
          label: remixLabel(s.kind, s.source_username),
          posterUrl: sv?.poster_key ? blob.url(sv.poster_key) : null,
          available: !!sv,
        });
      }
      const remixRows = await db
        .selectFrom('remix_sources')
        .innerJoin('videos', 'videos.id', 'remix_sources.video_id')
        .select(['remix_sources.video_id', 'remix_sources.kind'])
        .where('remix_sources.source_video_id', '=', videoId)
        .orderBy('remix_sources.created_at', 'desc')
        .limit(50)
        .execute();
      const remixes = [];
      for (const r of remixRows) {
        const rv = await visible(r.video_id);
        if (!rv) continue;
        const what = r.kind === 'duet' ? 'Duet' : r.kind === 'stitch' ? 'Stitch' : 'Remix';
        remixes.push({
          videoId: rv.id,
          kind: r.kind as Kind,
          username: rv.username,
          label: `${what} by @${rv.username}`,
          posterUrl: rv.poster_key ? blob.url(rv.poster_key) : null,
          available: true,
        });
      }
      return { sources, remixes, permissions: await permissions(videoId) };
    },

    // Drafts: unvalidated work in progress (the editor saves as you go), capped in size.
    async drafts(user: SessionUser) {
      const rows = await db.selectFrom('studio_drafts').selectAll().where('user_id', '=', user.id).orderBy('updated_at', 'desc').limit(100).execute();
      return { items: rows.map((r) => ({ id: r.id, title: r.title, edl: r.edl, updatedAt: r.updated_at.toISOString() })) };
    },
    async saveDraft(user: SessionUser, id: string | undefined, body: { title: string; edl: unknown }) {
      if (typeof body.edl !== 'object' || body.edl === null || Array.isArray(body.edl)) throw badRequest('invalid_draft', 'edl: a draft holds an EDL object');
      const json = JSON.stringify(body.edl);
      if (json.length > 256 * 1024) throw badRequest('invalid_draft', 'edl: a draft is at most 256 KB');
      const now = new Date();
      if (id) {
        const r = await db
          .updateTable('studio_drafts')
          .set({ title: body.title, edl: json, updated_at: now })
          .where('id', '=', id)
          .where('user_id', '=', user.id)
          .returningAll()
          .executeTakeFirst();
        if (!r) throw notFound('draft');
        return { id: r.id, title: r.title, edl: r.edl, updatedAt: r.updated_at.toISOString() };
      }
      const nid = crypto.randomUUID();
      const r = await db
        .insertInto('studio_drafts')
        .values({ id: nid, user_id: user.id, title: body.title, edl: json })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { id: r.id, title: r.title, edl: r.edl, updatedAt: r.updated_at.toISOString() };
    },
    async deleteDraft(user: SessionUser, id: string) {
      const r = await db.deleteFrom('studio_drafts').where('id', '=', id).where('user_id', '=', user.id).executeTakeFirst();
      if (!r.numDeletedRows) throw notFound('draft');
    },

    // Templates: an EDL with `{slot}` sources; its fixed sources must be usable by the creator.
    async createTemplate(user: SessionUser, body: { title: string; edl: unknown }) {
      const parsed = Edl.safeParse(body.edl);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw invalid(['edl', ...issue.path].join('.'), issue.message);
      }
      const edl = parsed.data;
      // A slot clip plays the first `outMs - inMs` of whatever clip fills it; a slot used twice needs the longer length.
      const slots: { name: string; durationMs: number }[] = [];
      for (const t of edl.tracks)
        for (const c of t.clips) {
          if (!('slot' in c.source)) continue;
          const name = c.source.slot;
          c.outMs -= c.inMs;
          c.inMs = 0;
          const known = slots.find((x) => x.name === name);
          if (known) known.durationMs = Math.max(known.durationMs, c.outMs);
          else slots.push({ name, durationMs: c.outMs });
        }
      if (!slots.length) throw invalid('edl.tracks', 'a template needs at least one { slot } clip for others to fill');
      if (slots.length > 10) throw invalid('edl.tracks', 'a template has at most 10 slots');
      // Fixed clips are rendered for everyone who uses the template: public videos only (the creator's, or others' that allow remixes).
      const sourceMs: (number | undefined)[][] = [];
      for (const [ti, t] of edl.tracks.entries()) {
        const lens: (number | undefined)[] = [];
        for (const [ci, c] of t.clips.entries()) {
          if (!('videoId' in c.source)) {
            lens.push(c.outMs); // a slot is filled by a clip at least this long
            continue;
          }
          const v = await videosRepo.byId(c.source.videoId);
          const field = `edl.tracks.${ti}.clips.${ci}.source.videoId`;
          if (!v || !(await videos.canView(v, user)))
            throw new AppError(404, 'source_not_found', `${field}: that video does not exist, was deleted or is not visible to you`);
          if (v.visibility !== 'public')
            throw forbidden(`${field}: a template's own clips must be public videos (everyone who uses it renders them)`, 'source_forbidden');
          if (v.user_id !== user.id && !(await permissions(v.id)).remix)
            throw forbidden(`${field}: @${v.username} does not allow remixes of this video`, 'source_forbidden');
          lens.push(v.duration_ms ?? undefined);
        }
        sourceMs.push(lens);
      }
      // Everyone who uses the template needs its sounds: library sounds only (a voice-over stays private).
      const soundMs: number[] = [];
      for (const [i, a] of edl.audio.entries()) {
        const snd = await sounds.byId(a.soundId);
        if (!snd || !snd.enabled) throw new AppError(404, 'sound_not_found', `edl.audio.${i}.soundId: no such sound (or it was turned off)`);
        if (!snd.listed)
          throw badRequest('invalid_edl', `edl.audio.${i}.soundId: a template can only use sounds from the library (a voice-over is private to you)`);
        soundMs.push(snd.duration_ms);
      }
      const issues = checkEdl(edl, sourceMs, soundMs, EDL_MAX_MS);
      if (issues.length) throw invalid(`edl.${issues[0]!.path}`, issues[0]!.message);
      const id = crypto.randomUUID();
      await db
        .insertInto('studio_templates')
        .values({ id, owner_id: user.id, title: body.title, edl: JSON.stringify(edl), slots: JSON.stringify(slots) })
        .execute();
      return this.template(id);
    },
    async template(id: string) {
      const t = await db
        .selectFrom('studio_templates')
        .innerJoin('users', 'users.id', 'studio_templates.owner_id')
        .selectAll('studio_templates')
        .select('users.username')
        .where('studio_templates.id', '=', id)
        .executeTakeFirst();
      if (!t) throw notFound('template');
      return {
        id: t.id,
        title: t.title,
        owner: { id: t.owner_id, username: t.username },
        slots: t.slots,
        edl: t.edl,
        useCount: t.use_count,
        createdAt: t.created_at.toISOString(),
      };
    },
    async templates() {
      const rows = await db
        .selectFrom('studio_templates')
        .innerJoin('users', 'users.id', 'studio_templates.owner_id')
        .selectAll('studio_templates')
        .select('users.username')
        .orderBy('use_count', 'desc')
        .orderBy('created_at', 'desc')
        .limit(50)
        .execute();
      return {
        items: rows.map((t) => ({
          id: t.id,
          title: t.title,
          owner: { id: t.owner_id, username: t.username },
          slots: t.slots,
          edl: t.edl,
          useCount: t.use_count,
          createdAt: t.created_at.toISOString(),
        })),
      };
    },
  };
}
export type StudioService = ReturnType<typeof createStudioService>;
