import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { Ad, SparkAdBody, SparkCode } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { SparkCodesTable } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';

const DAY = 86_400_000;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** Codes are typed or pasted by people: case-insensitive base32 without look-alikes, spaces and dashes ignored. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const normalise = (code: string) => code.toUpperCase().replace(/[\s-]/g, '').replace(/^SPK/, '');
function newCode() {
  const bytes = crypto.randomBytes(20);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % 32];
  // 20 symbols of 32 = 100 bits; shown as SPK-XXXXX-XXXXX-XXXXX-XXXXX.
  return `SPK-${s.match(/.{5}/g)!.join('-')}`;
}

/**
 * The condition under which a Spark ad may be delivered: not a Spark ad, or its code is neither revoked nor expired.
 * For the ad server's load query (ads.runtime.ts `reload`, where the ads table is `ads`): `.where(sparkAdLive(t))`.
 */
export const sparkAdLive = (at: Date) =>
  sql<boolean>`(ads.spark_code_id IS NULL OR EXISTS (SELECT 1 FROM spark_codes sc WHERE sc.id = ads.spark_code_id AND sc.revoked_at IS NULL AND sc.expires_at > ${at}))`;

/**
 * Spark ads: a creator authorises advertisers to boost one of their own public videos for 1–30 days with a code
 * (only its hash is kept); an advertiser makes an ad of that video with the code; revoking the code pauses those ads.
 */
export function createSparkService(deps: { db: Database; clock: Clock; isSuspended: (userId: string) => Promise<boolean>; onAdsChanged: () => Promise<void> }) {
  const { db, clock } = deps;

  const statusOf = (c: Selectable<SparkCodesTable>) => (c.revoked_at ? 'revoked' : c.expires_at.getTime() <= clock.now().getTime() ? 'expired' : 'active');
  const dto = (c: Selectable<SparkCodesTable>, ads: number): z.input<typeof SparkCode> => ({
    id: c.id,
    videoId: c.video_id,
    hint: c.hint,
    expiresAt: c.expires_at.toISOString(),
    revokedAt: c.revoked_at?.toISOString() ?? null,
    status: statusOf(c),
    ads,
    createdAt: c.created_at.toISOString(),
  });
  const adsUsing = async (codeIds: string[]) => {
    if (!codeIds.length) return new Map<string, number>();
    const rows = await db
      .selectFrom('ads')
      .select((eb) => ['spark_code_id', eb.fn.countAll<number>().as('n')])
      .where('spark_code_id', 'in', codeIds)
      .groupBy('spark_code_id')
      .execute();
    return new Map(rows.map((r) => [r.spark_code_id!, Number(r.n)]));
  };

  return {
    async createCode(user: SessionUser, body: { videoId: string; days: number }) {
      if (user.isMinor) throw forbidden('Spark ad authorisations are for adults', 'adults_only');
      if (await deps.isSuspended(user.id)) throw forbidden('your account is suspended', 'account_suspended');
      const v = await db.selectFrom('videos').select(['user_id', 'status', 'visibility']).where('id', '=', body.videoId).executeTakeFirst();
      if (!v || v.user_id !== user.id) throw badRequest('invalid_video', 'videoId must be one of your own videos');
      if (v.status !== 'ready') throw badRequest('video_not_ready', 'the video is still processing or failed');
      if (v.visibility !== 'public') throw badRequest('video_not_public', 'only a public video can be boosted as a Spark ad');
      if (!Number.isInteger(body.days) || body.days < 1 || body.days > 30) throw badRequest('invalid_days', 'days must be between 1 and 30');
      const code = newCode();
      const row = await db
        .insertInto('spark_codes')
        .values({
          id: crypto.randomUUID(),
          video_id: body.videoId,
          creator_id: user.id,
          code_hash: sha256(normalise(code)),
          hint: code.slice(-5),
          expires_at: new Date(clock.now().getTime() + body.days * DAY),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ...dto(row, 0), code };
    },

    async myCodes(user: SessionUser) {
      const rows = await db.selectFrom('spark_codes').selectAll().where('creator_id', '=', user.id).orderBy('created_at', 'desc').limit(200).execute();
      const n = await adsUsing(rows.map((r) => r.id));
      return { items: rows.map((r) => dto(r, n.get(r.id) ?? 0)) };
    },

    /** Revoke: the code can no longer make ads, and the ads made with it are paused (the ad server drops them now). */
    async revoke(user: SessionUser, id: string) {
      const c = await db.selectFrom('spark_codes').selectAll().where('id', '=', id).where('creator_id', '=', user.id).executeTakeFirst();
      if (!c) throw notFound('Spark code');
      const row = await db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('spark_codes')
          .set({ revoked_at: c.revoked_at ?? clock.now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.updateTable('ads').set({ status: 'paused' }).where('spark_code_id', '=', id).where('status', '=', 'active').execute();
        return r;
      });
      await deps.onAdsChanged();
      return dto(row, (await adsUsing([id])).get(id) ?? 0);
    },

    /** A Spark ad in one of the caller's ad groups (owner/admin): the creator's video, reviewed by staff like any ad. */
    async createSparkAd(user: SessionUser, groupId: string, b: z.infer<typeof SparkAdBody>): Promise<z.input<typeof Ad>> {
      const g = await db
        .selectFrom('ad_groups as g')
        .innerJoin('ad_campaigns as c', 'c.id', 'g.campaign_id')
        .leftJoin('advertiser_members as m', (j) => j.onRef('m.advertiser_id', '=', 'c.advertiser_id').on('m.user_id', '=', user.id))
        .select(['g.id', 'm.role'])
        .where('g.id', '=', groupId)
        .executeTakeFirst();
      if (!g?.role) throw notFound('ad group');
      if (g.role === 'analyst') throw forbidden('analysts can read reports but not change campaigns');
      const c = await db
        .selectFrom('spark_codes')
        .selectAll()
        .where('code_hash', '=', sha256(normalise(b.sparkCode)))
        .executeTakeFirst();
      if (!c) throw badRequest('invalid_spark_code', 'sparkCode: this Spark code is not valid; ask the creator for a new one');
      if (c.revoked_at) throw badRequest('spark_code_revoked', 'sparkCode: the creator revoked this Spark code');
      if (c.expires_at.getTime() <= clock.now().getTime()) throw badRequest('spark_code_expired', 'sparkCode: this Spark code has expired');
      const v = await db.selectFrom('videos').select(['status', 'visibility', 'user_id']).where('id', '=', c.video_id).executeTakeFirst();
      if (!v || v.status !== 'ready' || v.visibility !== 'public' || (await deps.isSuspended(v.user_id)))
        throw badRequest('spark_video_unavailable', 'sparkCode: the video of this code is no longer public');
      const a = await db
        .insertInto('ads')
        .values({
          id: crypto.randomUUID(),
          ad_group_id: groupId,
          name: b.name,
          video_id: c.video_id,
          spark: true,
          spark_code_id: c.id,
          cta_text: b.cta.text,
          landing_url: b.cta.url,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return {
        id: a.id,
        adGroupId: a.ad_group_id,
        name: a.name,
        videoId: a.video_id,
        spark: a.spark,
        cta: { text: a.cta_text, url: a.landing_url },
        status: a.status,
        review: { status: a.review_status, reason: a.review_reason },
        createdAt: a.created_at.toISOString(),
      };
    },
  };
}
export type SparkService = ReturnType<typeof createSparkService>;
