import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AdAudience } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { AdAudiencesTable } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';

const DAY = 86_400_000;
/** A centroid of fewer seed vectors than this says little: the lookalike stays empty ("seed_too_small"). */
export const LOOKALIKE_MIN_SEED = 3;
/** Engagements that put someone in an advertiser's "engaged" custom audience (the ad server's definition). */
export const ENGAGED_TYPES = ['like', 'comment', 'share', 'save', 'complete', 'follow', 'profile_visit'] as const;
export const ENGAGED_DAYS = 180;

/** The recommender's interest vectors, read through its engine (never its tables). */
export type InterestVectors = { userVector(userId: string): Float32Array | null; userIds(): Iterable<string> };

const normalised = (v: Float32Array) => {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return n > 0 ? v.map((x) => x / n) : null;
};

/**
 * Audiences an advertiser can target: `engaged:<advertiser id>` (people who engaged with the videos of its members
 * in 180 days) and lookalikes `lookalike:<id>`: the people whose interest vectors from the recommender are most
 * similar (cosine) to the centroid of the seed audience's vectors, above a threshold, at most `maxSize`, the seed
 * itself left out. Members are stored (ad_audience_members) and recomputed hourly (job `ads.lookalikes`) and on demand.
 */
export function createAdAudiences(deps: { db: Database; clock: Clock; log: Logger; vectors: () => InterestVectors; onChanged?: () => Promise<void> }) {
  const { db, clock } = deps;

  async function roleOf(user: SessionUser, advertiserId: string) {
    const m = await db
      .selectFrom('advertiser_members')
      .select('role')
      .where('advertiser_id', '=', advertiserId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (!m) throw notFound('advertiser');
    return m.role;
  }

  function engagedQuery(advertiserId: string) {
    return db
      .selectFrom('events as e')
      .innerJoin('videos as v', 'v.id', 'e.video_id')
      .innerJoin('advertiser_members as m', 'm.user_id', 'v.user_id')
      .where('m.advertiser_id', '=', advertiserId)
      .where('e.user_id', 'is not', null)
      .where('e.created_at', '>=', new Date(clock.now().getTime() - ENGAGED_DAYS * DAY))
      .where('e.type', 'in', [...ENGAGED_TYPES]);
  }

  /** The people in a seed audience of this advertiser; a 400 naming `seed` when it is not one of its audiences. */
  async function seedMembers(advertiserId: string, seed: string): Promise<string[]> {
    if (seed === `engaged:${advertiserId}`) {
      const rows = await engagedQuery(advertiserId).select('e.user_id').distinct().execute();
      return rows.map((r) => r.user_id!);
    }
    const id = /^lookalike:([0-9a-f-]{36})$/.exec(seed)?.[1];
    const a = id
      ? await db.selectFrom('ad_audiences').select('id').where('id', '=', id).where('advertiser_id', '=', advertiserId).executeTakeFirst()
      : undefined;
    if (!a) throw badRequest('invalid_seed', `seed: not one of this advertiser's audiences (use engaged:${advertiserId} or lookalike:<id>)`);
    return (await db.selectFrom('ad_audience_members').select('user_id').where('audience_id', '=', a.id).execute()).map((r) => r.user_id);
  }

  const dto = (a: Selectable<AdAudiencesTable>): z.input<typeof AdAudience> => ({
    key: `lookalike:${a.id}`,
    name: a.name,
    kind: 'lookalike',
    size: a.size,
    id: a.id,
    seed: a.seed,
    seedSize: a.seed_size,
    minSimilarity: Math.round(a.min_similarity * 100) / 100,
    maxSize: a.max_size,
    status: a.status,
    computedAt: a.computed_at?.toISOString() ?? null,
  });

  /** Recompute one lookalike from the live interest vectors and replace its members. */
  async function compute(id: string) {
    const a = await db.selectFrom('ad_audiences').selectAll().where('id', '=', id).executeTakeFirst();
    if (!a) return undefined;
    const vectors = deps.vectors();
    const seed = new Set(await seedMembers(a.advertiser_id, a.seed).catch(() => [] as string[]));
    seed.delete('');
    let centroid: Float32Array | null = null;
    let seedVectors = 0;
    for (const u of seed) {
      const v = vectors.userVector(u);
      const n = v && normalised(v);
      if (!n) continue;
      centroid ??= new Float32Array(n.length);
      for (let i = 0; i < n.length; i++) centroid[i]! += n[i]!;
      seedVectors++;
    }
    const members: { user_id: string; similarity: number }[] = [];
    const c = seedVectors >= LOOKALIKE_MIN_SEED && centroid ? normalised(centroid) : null;
    if (c) {
      for (const u of vectors.userIds()) {
        if (seed.has(u)) continue;
        const v = vectors.userVector(u);
        const n = v && normalised(v);
        if (!n || n.length !== c.length) continue;
        let dot = 0;
        for (let i = 0; i < n.length; i++) dot += n[i]! * c[i]!;
        if (dot >= a.min_similarity) members.push({ user_id: u, similarity: dot });
      }
      members.sort((x, y) => y.similarity - x.similarity);
      members.length = Math.min(members.length, a.max_size);
    }
    // Only people who still have an account (the engine may remember deleted ones).
    const known = new Set<string>();
    for (let i = 0; i < members.length; i += 1000) {
      const ids = members.slice(i, i + 1000).map((m) => m.user_id);
      for (const r of await db.selectFrom('users').select('id').where('id', 'in', ids).execute()) known.add(r.id);
    }
    const kept = members.filter((m) => known.has(m.user_id));
    const at = clock.now();
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ad_audience_members').where('audience_id', '=', id).execute();
      for (let i = 0; i < kept.length; i += 1000)
        await trx
          .insertInto('ad_audience_members')
          .values(kept.slice(i, i + 1000).map((m) => ({ audience_id: id, ...m })))
          .execute();
      await trx
        .updateTable('ad_audiences')
        .set({ size: kept.length, seed_size: seed.size, status: c ? 'ready' : 'seed_too_small', computed_at: at })
        .where('id', '=', id)
        .execute();
    });
    return db.selectFrom('ad_audiences').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  return {
    compute,

    /** The advertiser's targetable audiences with their sizes. */
    async list(user: SessionUser, advertiserId: string) {
      await roleOf(user, advertiserId);
      const engaged = await engagedQuery(advertiserId)
        .select((eb) => eb.fn.count<number>('e.user_id').distinct().as('n'))
        .executeTakeFirstOrThrow();
      const looks = await db.selectFrom('ad_audiences').selectAll().where('advertiser_id', '=', advertiserId).orderBy('created_at', 'desc').execute();
      return {
        items: [
          {
            key: `engaged:${advertiserId}`,
            name: "People who engaged with this advertiser's videos (180 days)",
            kind: 'engaged' as const,
            size: Number(engaged.n),
            id: null,
            seed: null,
            seedSize: null,
            minSimilarity: null,
            maxSize: null,
            status: null,
            computedAt: null,
          },
          ...looks.map(dto),
        ],
      };
    },

    async create(user: SessionUser, advertiserId: string, body: { name: string; seed: string; minSimilarity: number; maxSize: number }) {
      if ((await roleOf(user, advertiserId)) === 'analyst') throw forbidden('analysts cannot create audiences', 'analyst_read_only');
      await seedMembers(advertiserId, body.seed); // validates the seed
      const id = crypto.randomUUID();
      await db
        .insertInto('ad_audiences')
        .values({
          id,
          advertiser_id: advertiserId,
          name: body.name,
          seed: body.seed,
          min_similarity: body.minSimilarity,
          max_size: body.maxSize,
          computed_at: null,
          created_by: user.id,
        })
        .execute();
      const a = (await compute(id))!;
      await deps.onChanged?.();
      return dto(a);
    },

    async refresh(user: SessionUser, id: string) {
      const a = await db.selectFrom('ad_audiences').select('advertiser_id').where('id', '=', id).executeTakeFirst();
      if (!a) throw notFound('audience');
      const role = await roleOf(user, a.advertiser_id).catch(() => {
        throw notFound('audience');
      });
      if (role === 'analyst') throw forbidden('analysts cannot recompute audiences', 'analyst_read_only');
      const r = (await compute(id))!;
      await deps.onChanged?.();
      return dto(r);
    },

    /** The schedule: recompute every lookalike (job `ads.lookalikes`). */
    async computeAll() {
      let n = 0;
      for (const a of await db.selectFrom('ad_audiences').select('id').orderBy('computed_at').execute()) {
        await compute(a.id);
        n++;
      }
      return n;
    },
  };
}
export type AdAudiences = ReturnType<typeof createAdAudiences>;

/** Targeting check: every audience key must be one of this advertiser's (a 400 naming the field otherwise). */
export async function checkAudienceKeys(db: Database, advertiserId: string, keys: readonly string[] | undefined) {
  for (const k of keys ?? []) {
    if (k === `engaged:${advertiserId}`) continue;
    const id = /^lookalike:([0-9a-f-]{36})$/.exec(k)?.[1];
    const ok = id && (await db.selectFrom('ad_audiences').select('id').where('id', '=', id).where('advertiser_id', '=', advertiserId).executeTakeFirst());
    if (!ok) throw badRequest('invalid_audience', `targeting.audiences: "${k}" is not one of this advertiser's audiences`);
  }
}

/**
 * The ad server's view of lookalike membership: for the lookalikes its loaded ad groups target, who is in each
 * (re-read when an audience was recomputed). `of(userId)` gives the viewer's `lookalike:<id>` keys.
 */
export function createLookalikeIndex(db: Database) {
  const loadedAt = new Map<string, number>();
  const byUser = new Map<string, Set<string>>();
  const membersOf = new Map<string, string[]>();
  return {
    async sync(keys: Iterable<string>) {
      const ids = new Set<string>();
      for (const k of keys) {
        const id = /^lookalike:([0-9a-f-]{36})$/.exec(k)?.[1];
        if (id) ids.add(id);
      }
      for (const id of [...loadedAt.keys()]) if (!ids.has(id)) drop(id);
      if (!ids.size) return;
      const rows = await db
        .selectFrom('ad_audiences')
        .select(['id', 'computed_at'])
        .where('id', 'in', [...ids])
        .execute();
      for (const r of rows) {
        const at = r.computed_at?.getTime() ?? 0;
        if (loadedAt.get(r.id) === at) continue;
        drop(r.id);
        const users = (await db.selectFrom('ad_audience_members').select('user_id').where('audience_id', '=', r.id).execute()).map((m) => m.user_id);
        const key = `lookalike:${r.id}`;
        for (const u of users) (byUser.get(u) ?? byUser.set(u, new Set()).get(u)!).add(key);
        membersOf.set(r.id, users);
        loadedAt.set(r.id, at);
      }
    },
    of: (userId: string): ReadonlySet<string> | undefined => byUser.get(userId),
  };
  function drop(id: string) {
    const key = `lookalike:${id}`;
    for (const u of membersOf.get(id) ?? []) {
      const s = byUser.get(u);
      s?.delete(key);
      if (s && !s.size) byUser.delete(u);
    }
    membersOf.delete(id);
    loadedAt.delete(id);
  }
}
export type LookalikeIndex = ReturnType<typeof createLookalikeIndex>;
