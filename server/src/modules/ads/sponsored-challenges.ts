import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import { SPONSORED_CHALLENGE_CENTS_PER_DAY, type SponsoredChallenge, type SponsoredChallengeBody } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AdChallengeSponsorshipsTable, ChallengesTable } from '../../platform/db/schema.ts';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { derivedId } from '../wallet/wallet.service.ts';
import type { AdsBilling } from './ads.billing.ts';

const DAY = 86_400_000;
type Row = Selectable<AdChallengeSponsorshipsTable> & Pick<Selectable<ChallengesTable>, 'slug' | 'hashtag' | 'title' | 'starts_at' | 'ends_at'>;
const dto = (r: Row): z.input<typeof SponsoredChallenge> => ({
  id: r.id,
  challengeId: r.challenge_id,
  slug: r.slug,
  hashtag: r.hashtag,
  title: r.title,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
  feeCents: Number(r.fee_cents),
  soundId: r.sound_id,
  createdAt: r.created_at.toISOString(),
});

/**
 * Sponsored hashtag challenges: a brand pays a flat fee per started day from its ad balance (one ledger
 * transfer to ads revenue) and gets a featured challenge labelled "Sponsored by <brand>" on Discover, the
 * hashtag and challenge pages, and a report of what people made for it.
 */
export function createSponsoredChallenges(deps: { db: Database; clock: Clock; billing: AdsBilling }) {
  const { db, clock, billing } = deps;
  const base = () =>
    db
      .selectFrom('ad_challenge_sponsorships as s')
      .innerJoin('challenges as c', 'c.id', 's.challenge_id')
      .selectAll('s')
      .select(['c.slug', 'c.hashtag', 'c.title', 'c.starts_at', 'c.ends_at']);

  return {
    feeCents: (startsAt: Date, endsAt: Date) => Math.ceil((endsAt.getTime() - startsAt.getTime()) / DAY) * SPONSORED_CHALLENGE_CENTS_PER_DAY,

    async buy(user: SessionUser, advertiserId: string, body: z.output<typeof SponsoredChallengeBody>) {
      const role = await billing.roleOf(user, advertiserId);
      if (role === 'analyst') throw forbidden('analysts cannot buy', 'analyst_read_only');
      const prior = await base().where('s.id', '=', body.id).executeTakeFirst();
      if (prior) {
        if (prior.advertiser_id === advertiserId && prior.slug === body.slug) return dto(prior);
        throw conflict('purchase_id_in_use', 'this purchase id is in use; choose a new one');
      }
      const startsAt = new Date(body.startsAt);
      const endsAt = new Date(body.endsAt);
      if (startsAt.getTime() < clock.now().getTime() - 3_600_000) throw badRequest('starts_in_past', 'a sponsored challenge cannot start in the past');
      if (await db.selectFrom('challenges').select('id').where('slug', '=', body.slug).executeTakeFirst())
        throw conflict('slug_taken', `a challenge with the slug "${body.slug}" exists`);
      // One sponsor per hashtag at a time: overlapping sponsored challenges on the same tag would mislead both.
      const clash = await db
        .selectFrom('challenges')
        .select('slug')
        .where('hashtag', '=', body.hashtag)
        .where('sponsor', 'is not', null)
        .where('starts_at', '<', endsAt)
        .where('ends_at', '>', startsAt)
        .executeTakeFirst();
      if (clash) throw conflict('hashtag_taken', `#${body.hashtag} is already sponsored in those dates (challenge "${clash.slug}")`);
      if (body.soundId && !(await db.selectFrom('sounds').select('id').where('id', '=', body.soundId).executeTakeFirst())) throw notFound('sound');
      const adv = await db.selectFrom('advertisers').select('name').where('id', '=', advertiserId).executeTakeFirstOrThrow();
      const fee = this.feeCents(startsAt, endsAt);
      // The fee first (402 when the balance is short): no challenge exists unless it was paid for.
      await billing.chargeFee(advertiserId, derivedId(body.id, 'fee'), fee, 'ads_sponsored_challenge', { purchaseId: body.id, slug: body.slug });
      const challengeId = crypto.randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('challenges')
          .values({
            id: challengeId,
            slug: body.slug,
            hashtag: body.hashtag,
            title: body.title,
            description: body.description,
            rules: body.rules,
            banner_key: null,
            starts_at: startsAt,
            ends_at: endsAt,
            featured: true,
            sponsor: adv.name,
            created_by: user.id,
          })
          .execute();
        await trx
          .insertInto('ad_challenge_sponsorships')
          .values({ id: body.id, challenge_id: challengeId, advertiser_id: advertiserId, fee_cents: fee, sound_id: body.soundId ?? null, created_by: user.id })
          .execute();
      });
      return dto((await base().where('s.id', '=', body.id).executeTakeFirst())!);
    },

    async list(user: SessionUser, advertiserId: string) {
      await billing.roleOf(user, advertiserId);
      return { items: (await base().where('s.advertiser_id', '=', advertiserId).orderBy('s.created_at', 'desc').execute()).map(dto) };
    },

    async report(user: SessionUser, id: string) {
      const s = await base().where('s.id', '=', id).executeTakeFirst();
      if (!s) throw notFound('sponsored challenge');
      await billing.roleOf(user, s.advertiser_id).catch(() => {
        throw notFound('sponsored challenge');
      });
      const vids = db
        .selectFrom('videos as v')
        .innerJoin('video_hashtags as vh', 'vh.video_id', 'v.id')
        .innerJoin('users as u', 'u.id', 'v.user_id')
        .where('vh.tag', '=', s.hashtag)
        .where('v.status', '=', 'ready')
        .where('v.visibility', '=', 'public')
        .where('v.published_at', '>=', s.starts_at)
        .where('v.published_at', '<', s.ends_at);
      const agg = await vids
        .select((eb) => [
          eb.fn.countAll<number>().as('videos'),
          eb.fn.count<number>('v.user_id').distinct().as('creators'),
          eb.fn.coalesce(eb.fn.sum<number>('v.view_count'), eb.lit(0)).as('views'),
          eb.fn.coalesce(eb.fn.sum<number>('v.like_count'), eb.lit(0)).as('likes'),
          eb.fn.coalesce(eb.fn.sum<number>('v.share_count'), eb.lit(0)).as('shares'),
          eb.fn.coalesce(eb.fn.sum<number>('v.comment_count'), eb.lit(0)).as('comments'),
        ])
        .executeTakeFirstOrThrow();
      const top = await vids.select(['v.id', 'u.username', 'v.view_count', 'v.like_count']).orderBy('v.view_count', 'desc').limit(20).execute();
      const soundUses = s.sound_id
        ? Number(
            (
              await db
                .selectFrom('sound_uses')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('sound_id', '=', s.sound_id)
                .executeTakeFirstOrThrow()
            ).n,
          )
        : 0;
      return {
        challenge: dto(s),
        videos: Number(agg.videos),
        creators: Number(agg.creators),
        views: Number(agg.views),
        likes: Number(agg.likes),
        shares: Number(agg.shares),
        comments: Number(agg.comments),
        soundUses,
        top: top.map((t) => ({ videoId: t.id, creator: t.username, views: Number(t.view_count), likes: Number(t.like_count) })),
      };
    },
  };
}
export type SponsoredChallenges = ReturnType<typeof createSponsoredChallenges>;
