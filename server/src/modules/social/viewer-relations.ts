import crypto from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../platform/db/db.ts';

/** The PostgreSQL channel on which API processes tell each other whose relations changed. */
export const VIEWER_RELATIONS_CHANNEL = 'flick_viewer_relations';
/** How long a lost listener connection waits before it reconnects. */
const RECONNECT_MS = 1_000;

/** Everything about one signed-in viewer that decides whose videos their feeds may show. */
export type ViewerRelations = {
  /** Blocked by the viewer, blocking the viewer, or muted by the viewer: never shown. */
  readonly hidden: ReadonlySet<string>;
  /** Whom the viewer follows (a private account's videos need this; the recommender's `following` source too). */
  readonly follows: ReadonlySet<string>;
};

export type ViewerRelationsOptions = {
  /** How long a viewer's relations are trusted without a write in this process (writes elsewhere show within it). */
  ttlMs: number;
  /** Viewers remembered at most (least recently used out first). */
  maxViewers: number;
};

/**
 * A per-viewer cache of blocks (both ways), mutes and follows, read in one query and kept for
 * `ttlMs`, so a signed-in feed page asks the database nothing about the social graph on a hit (the
 * visibility hook used to run one query per page). Every write in this process that changes what a
 * viewer may see drops the affected viewers at once (`invalidate`): block and unblock (both
 * sides), mute and unmute, follow, unfollow, an approved request, a removed follower. On
 * PostgreSQL, `syncAcrossProcesses` makes that immediate in every API process too: each
 * invalidation is published with NOTIFY and every other process drops the same viewers when it
 * hears it (PGlite is one process). The TTL is then only the fallback for a message lost while a
 * listener reconnects (the cache is emptied on reconnect as well).
 */
export function createViewerRelations(db: Database, options: Partial<ViewerRelationsOptions> = {}) {
  const opts: ViewerRelationsOptions = { ttlMs: 10_000, maxViewers: 20_000, ...options };
  const cache = new Map<string, { at: number; rel: ViewerRelations }>();
  /** Bumped on each invalidation of a viewer, so a read that raced with a write is not cached. */
  const epoch = new Map<string, number>();
  /** Bumped when `epoch` is cleared under reads in flight: none of them is cached then. */
  let generation = 0;
  let inFlight = 0;
  let loads = 0;
  /** Set by syncAcrossProcesses: sends an invalidation to the other processes. */
  let publish: ((viewerIds: string[]) => Promise<void>) | undefined;
  /** This cache's name on the channel, so it ignores its own messages. */
  const origin = crypto.randomUUID();

  function drop(viewerIds: readonly string[]) {
    for (const id of viewerIds) {
      cache.delete(id);
      // Only reads in flight compare epochs: with none, the map can start over (it stays small).
      if (inFlight === 0) epoch.clear();
      else if (epoch.size >= opts.maxViewers) {
        epoch.clear();
        generation++;
      } else epoch.set(id, (epoch.get(id) ?? 0) + 1);
    }
  }
  /** Forget every viewer (messages may have been missed); reads in flight are not cached. */
  function dropAll() {
    cache.clear();
    epoch.clear();
    generation++;
  }

  async function load(viewerId: string): Promise<ViewerRelations> {
    loads++;
    const { rows } = await sql<{ id: string; kind: 'h' | 'f' }>`
      SELECT blocked_id AS id, 'h' AS kind FROM blocks WHERE blocker_id = ${viewerId}::uuid
      UNION ALL SELECT blocker_id, 'h' FROM blocks WHERE blocked_id = ${viewerId}::uuid
      UNION ALL SELECT muted_id, 'h' FROM mutes WHERE muter_id = ${viewerId}::uuid
      UNION ALL SELECT followee_id, 'f' FROM follows WHERE follower_id = ${viewerId}::uuid`.execute(db);
    const hidden = new Set<string>();
    const follows = new Set<string>();
    for (const r of rows) (r.kind === 'h' ? hidden : follows).add(r.id);
    return { hidden, follows };
  }

  return {
    async of(viewerId: string): Promise<ViewerRelations> {
      const hit = cache.get(viewerId);
      if (hit && Date.now() - hit.at < opts.ttlMs) {
        cache.delete(viewerId); // re-insert: the Map's order is least recently used first
        cache.set(viewerId, hit);
        return hit.rel;
      }
      const e = epoch.get(viewerId) ?? 0;
      const g = generation;
      const at = Date.now();
      inFlight++;
      let rel: ViewerRelations;
      try {
        rel = await load(viewerId);
      } finally {
        inFlight--;
      }
      // A write that landed while this read was in flight makes it stale: use it once, keep nothing.
      if (generation === g && (epoch.get(viewerId) ?? 0) === e) {
        cache.delete(viewerId);
        cache.set(viewerId, { at, rel });
        if (cache.size > opts.maxViewers) cache.delete(cache.keys().next().value!);
      }
      return rel;
    },
    /**
     * These viewers' blocks, mutes or follows changed: read them afresh on their next page, here at
     * once and, once the returned promise settles, in every process listening (a failed publish is
     * swallowed: the TTL still bounds what the others may miss).
     */
    invalidate(...viewerIds: string[]): Promise<void> {
      drop(viewerIds);
      return publish && viewerIds.length ? publish(viewerIds).catch(() => undefined) : Promise.resolve();
    },
    /**
     * Cross-process invalidation on PostgreSQL: LISTEN on a connection of its own (reconnecting
     * after a loss, and emptying the cache then, since messages sent meanwhile are gone) and
     * NOTIFY through the pool on every `invalidate`. Resolves once listening.
     */
    async syncAcrossProcesses(pool: pg.Pool): Promise<{ close(): Promise<void> }> {
      let closed = false;
      let client: pg.Client | undefined;
      let timer: NodeJS.Timeout | undefined;
      const onMessage = (msg: pg.Notification) => {
        if (msg.channel !== VIEWER_RELATIONS_CHANNEL || !msg.payload) return;
        try {
          const m = JSON.parse(msg.payload) as { o?: unknown; ids?: unknown };
          if (m.o === origin || !Array.isArray(m.ids)) return;
          drop(m.ids.filter((x): x is string => typeof x === 'string'));
        } catch {
          dropAll(); // not ours to read: be safe
        }
      };
      const connect = async (first: boolean): Promise<void> => {
        const c = new pg.Client(pool.options);
        c.on('notification', onMessage);
        const lost = () => {
          if (client !== c) return;
          client = undefined;
          c.removeAllListeners('notification');
          c.end().catch(() => undefined);
          if (closed) return;
          dropAll();
          timer = setTimeout(() => void connect(false).catch(() => undefined), RECONNECT_MS);
          timer.unref();
        };
        c.on('error', lost);
        c.on('end', lost);
        client = c;
        try {
          await c.connect();
          await c.query(`LISTEN ${VIEWER_RELATIONS_CHANNEL}`);
        } catch (err) {
          if (first) {
            client = undefined;
            await c.end().catch(() => undefined);
            throw err;
          }
          lost(); // try again later
        }
      };
      await connect(true);
      publish = async (viewerIds) => {
        // A NOTIFY payload is at most 8,000 bytes: 100 uuids a message keeps a batch of follows under it.
        for (let i = 0; i < viewerIds.length; i += 100)
          await pool.query('SELECT pg_notify($1, $2)', [VIEWER_RELATIONS_CHANNEL, JSON.stringify({ o: origin, ids: viewerIds.slice(i, i + 100) })]);
      };
      return {
        async close() {
          closed = true;
          publish = undefined;
          clearTimeout(timer);
          const c = client;
          client = undefined;
          await c?.end().catch(() => undefined);
        },
      };
    },
    /** Database reads so far (tests check that pages are served from the cache). */
    get loads() {
      return loads;
    },
  };
}
export type ViewerRelationsCache = ReturnType<typeof createViewerRelations>;
