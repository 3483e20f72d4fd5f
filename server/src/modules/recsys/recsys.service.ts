import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { createRecsysEngine, type EngineOptions, type EngineSnapshot, type LearnEvent, type RecsysEngine, type VideoMeta } from './engine.ts';

const STATE_KEY = 'engine';
type SavedState = { engine: EngineSnapshot; controlSeq: number };
const BATCH = 5000;

/**
 * Keeps the in-memory engine in step with the database: the catalogue (ready public videos), the
 * event log read as a stream by `seq`, and a periodic snapshot so a restart resumes instead of
 * relearning. Every API process runs one; each tails the shared log, so a signal recorded by any
 * process reaches every process's engine within a poll interval.
 */
export function createRecsysService(deps: { db: Database; clock: Clock; log: Logger; engine?: Partial<EngineOptions>; pollMs?: number; snapshotMs?: number }) {
  const { db, clock, log } = deps;
  let engine: RecsysEngine = createRecsysEngine(deps.engine);
  let lastSeq = 0;
  let lastControlSeq = 0;
  let catching: Promise<number> | undefined;
  let timers: NodeJS.Timeout[] = [];
  let dirty = false;

  const toMeta = (r: {
    id: string;
    user_id: string;
    published_at: Date | null;
    created_at: Date;
    duration_ms: number | null;
    hashtags: string[] | null;
  }): VideoMeta => ({
    id: r.id,
    creatorId: r.user_id,
    hashtags: r.hashtags ?? [],
    publishedAt: (r.published_at ?? r.created_at).getTime(),
    durationMs: r.duration_ms ?? 0,
  });

  function catalogQuery() {
    return db
      .selectFrom('videos')
      .select(['videos.id', 'videos.user_id', 'videos.published_at', 'videos.created_at', 'videos.duration_ms'])
      .select((eb) =>
        eb
          .selectFrom('video_hashtags')
          .select((e) => e.fn.agg<string[]>('array_agg', ['video_hashtags.tag']).as('t'))
          .whereRef('video_hashtags.video_id', '=', 'videos.id')
          .as('hashtags'),
      )
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public');
  }

  async function loadCatalog(target: RecsysEngine) {
    for (const r of await catalogQuery().orderBy('videos.published_at', 'asc').execute()) target.upsertVideo(toMeta(r));
  }

  type Cursor = { get: () => number; set: (s: number) => void };
  const liveControls: Cursor = { get: () => lastControlSeq, set: (s) => (lastControlSeq = s) };

  /** Apply users' feed controls (hides, resets, picked interests) recorded up to `until`. */
  async function applyControls(target: RecsysEngine, cursor: Cursor, until?: Date) {
    let q = db.selectFrom('feed_controls').selectAll().where('seq', '>', cursor.get()).orderBy('seq').limit(BATCH);
    if (until) q = q.where('created_at', '<', until);
    for (const c of await q.execute()) {
      if (c.kind === 'hide_creator') target.hide(c.user_id, { creatorId: c.value });
      else if (c.kind === 'hide_hashtag') target.hide(c.user_id, { hashtag: c.value });
      else if (c.kind === 'reset') target.reset(c.user_id);
      else target.seedInterests(c.user_id, c.value.split(',').filter(Boolean));
      cursor.set(Number(c.seq));
      dirty = true;
    }
  }

  /**
   * Read new events in order and learn from them, interleaving feed controls by time (so a reset
   * forgets what came before it, not after); returns how many events were applied.
   */
  async function catchUp(
    target: RecsysEngine = engine,
    from = () => lastSeq,
    to = (s: number) => (lastSeq = s),
    controls: Cursor = liveControls,
  ): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await db
        .selectFrom('events')
        .select(['seq', 'user_id', 'video_id', 'type', 'watch_ms', 'duration_ms', 'created_at'])
        .where('seq', '>', from())
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      if (!rows.length) {
        await applyControls(target, controls);
        return n;
      }
      await applyControls(target, controls, rows[0]!.created_at);
      target.learn(
        rows.map((r): LearnEvent => ({
          userId: r.user_id,
          videoId: r.video_id,
          type: r.type,
          watchMs: r.watch_ms,
          durationMs: r.duration_ms,
          at: r.created_at.getTime(),
        })),
      );
      to(Number(rows.at(-1)!.seq));
      n += rows.length;
      dirty = true;
    }
  }

  /** One catch-up at a time; callers that arrive meanwhile wait for the one in flight and then run again. */
  async function sync(): Promise<number> {
    while (catching) await catching.catch(() => undefined);
    catching = catchUp().finally(() => (catching = undefined));
    return catching;
  }

  /**
   * The shared lists' rebuild, in slices of the catalogue with the event loop free between them
   * (setImmediate), so requests and the log tail run during it; one rebuild at a time.
   */
  let rebuilding = false;
  const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
  async function refreshListsInSlices() {
    if (rebuilding) return;
    rebuilding = true;
    try {
      await engine.refreshListsSliced(clock.now().getTime(), yieldToLoop);
    } catch (err) {
      log.warn({ err }, 'recsys list rebuild failed');
    } finally {
      rebuilding = false;
    }
  }

  async function save() {
    if (!dirty) return;
    dirty = false;
    const data = zlib.gzipSync(JSON.stringify({ engine: engine.snapshot(), controlSeq: lastControlSeq } satisfies SavedState));
    await db
      .insertInto('recsys_state')
      .values({ key: STATE_KEY, last_seq: lastSeq, data })
      .onConflict((oc) => oc.column('key').doUpdateSet({ last_seq: lastSeq, data, updated_at: clock.now() }))
      .execute();
  }

  return {
    get engine() {
      return engine;
    },
    /** Load the catalogue, restore the last snapshot, replay what came after it, then keep following the log. */
    async start(opts: { follow: boolean }) {
      const t0 = Date.now();
      await loadCatalog(engine);
      const saved = await db.selectFrom('recsys_state').select(['last_seq', 'data']).where('key', '=', STATE_KEY).executeTakeFirst();
      if (saved) {
        try {
          const state = JSON.parse(zlib.gunzipSync(saved.data).toString('utf8')) as SavedState;
          engine.restore(state.engine);
          lastSeq = Number(saved.last_seq);
          lastControlSeq = state.controlSeq;
        } catch (err) {
          log.warn({ err }, 'recsys snapshot unreadable; relearning from the event log');
          engine = createRecsysEngine(deps.engine);
          await loadCatalog(engine);
        }
      }
      const replayed = await sync();
      engine.refreshPriors();
      log.info({ videos: engine.size, replayed, ms: Date.now() - t0 }, 'recommender ready');
      if (opts.follow) {
        timers = [
          setInterval(() => void sync().catch((err: unknown) => log.warn({ err }, 'recsys catch-up failed')), deps.pollMs ?? 500),
          setInterval(() => void refreshListsInSlices(), 2000),
          setInterval(() => {
            engine.refreshPriors();
            void save().catch((err: unknown) => log.warn({ err }, 'recsys snapshot failed'));
          }, deps.snapshotMs ?? 60_000),
        ];
        for (const t of timers) t.unref();
      }
    },
    sync,
    save,
    /** Re-read the whole catalogue (after a bulk import that bypassed the publish path). */
    async reloadCatalog() {
      await loadCatalog(engine);
      engine.refreshPriors();
      engine.refreshLists(clock.now().getTime());
    },
    /** A video was published, edited or removed: bring the catalogue entry up to date. */
    async refreshVideo(id: string) {
      const r = await catalogQuery().where('videos.id', '=', id).executeTakeFirst();
      if (r) engine.upsertVideo(toMeta(r));
      else engine.removeVideo(id);
    },
    /** Record a feed control in the shared log and apply it before answering. */
    async control(userId: string, kind: 'hide_creator' | 'hide_hashtag' | 'reset' | 'interests', value = '') {
      await db.insertInto('feed_controls').values({ user_id: userId, kind, value }).execute();
      await sync();
    },
    async followsOf(userId: string) {
      const rows = await db.selectFrom('follows').select('followee_id').where('follower_id', '=', userId).execute();
      engine.setFollows(
        userId,
        rows.map((r) => r.followee_id),
      );
    },
    /**
     * Retrain from scratch: replay the whole event log into a fresh engine, then run full batch
     * sweeps of the factor model over everything it saw, and swap it in.
     */
    async retrain() {
      const fresh = createRecsysEngine(deps.engine);
      await loadCatalog(fresh);
      let seq = 0;
      let controlSeq = 0;
      const controls: Cursor = { get: () => controlSeq, set: (s) => (controlSeq = s) };
      await catchUp(
        fresh,
        () => seq,
        (s) => (seq = s),
        controls,
      );
      fresh.fitBatch();
      await sync();
      await catchUp(
        fresh,
        () => seq,
        (s) => (seq = s),
        controls,
      ); // what arrived meanwhile
      engine = fresh;
      lastSeq = seq;
      lastControlSeq = controlSeq;
      dirty = true;
      await save();
      return { events: seq, videos: fresh.size };
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      timers = [];
      await save().catch((err: unknown) => log.warn({ err }, 'recsys snapshot on shutdown failed'));
    },
  };
}
export type RecsysService = ReturnType<typeof createRecsysService>;
