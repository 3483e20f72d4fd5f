import crypto from 'node:crypto';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { PROMOTE_CARD_MIN_CENTS, PROMOTE_MAX_CENTS, PROMOTE_MIN_CENTS, type Promotion, type PromoteBody } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { DB, PromotionsTable } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { LedgerService, TransferRequest } from '../ledger/ledger.service.ts';
import { COIN_PACKAGES } from '../wallet/catalogue.ts';
import { derivedId } from '../wallet/wallet.service.ts';
import { MICROS_PER_CENT, type AdsBilling } from './ads.billing.ts';
import { PRIORS } from './engine/predict.ts';
import type { OptimizeFor } from './engine/types.ts';

const DAY = 86_400_000;
/**
 * What a coin buys in Promote: the catalogue's price of a coin (package price ÷ coins; every package sells a coin at
 * 1 US cent), so 1,000 coins fund a $10.00 promotion.
 */
export const COIN_CENTS = COIN_PACKAGES[0]!.priceCents / COIN_PACKAGES[0]!.coins;
if (!COIN_PACKAGES.every((p) => p.priceCents / p.coins === COIN_CENTS) || !Number.isInteger(COIN_CENTS))
  throw new Error('Promote needs one whole-cent coin price across the catalogue');
/**
 * A promotion's ad group bids on its goal's action (oCPM: ranked by bid × the predicted rate of that action, learned
 * online from its prior, and charged per impression at the second price): a 6-second view for views, a follow of the
 * creator for follows, a profile visit for profile visits. Each bid is worth PROMOTE_CPM_CENTS per 1,000 impressions at
 * the action's prior rate, so a new promotion enters like a $4.00 CPM and then moves with how well its video earns the
 * action (maximum delivery may raise it up to 3× while it underspends).
 */
export const PROMOTE_CPM_CENTS = 400;
export const PROMOTE_GOAL: Record<PromoteBody['goal'], { optimizeFor: OptimizeFor; prior: number }> = {
  views: { optimizeFor: 'view6s', prior: PRIORS.view6s.rate },
  follows: { optimizeFor: 'follow', prior: PRIORS.follow.rate },
  profile_visits: { optimizeFor: 'profile_visit', prior: PRIORS.profileVisit.rate },
};
/** The bid per goal action (µ$). */
export const promoteBidMicros = (goal: PromoteBody['goal']) => Math.round((PROMOTE_CPM_CENTS * MICROS_PER_CENT) / 1000 / PROMOTE_GOAL[goal].prior);
/** At most this many sponsored placements of one promotion per person a day. */
export const PROMOTE_FREQUENCY_CAP = { max: 2, days: 1 };

type Row = Selectable<PromotionsTable>;
type Results = z.input<typeof Promotion>['results'];
const NO_RESULTS: Results = { impressions: 0, reach: 0, views: 0, clicks: 0, follows: 0, profileVisits: 0, spentCents: 0 };

/**
 * Promote: a creator boosts their own public video for 1–7 days toward views, follows or profile visits, through the
 * same ad engine as advertisers. Under the hood: the creator's own ad account (advertisers.kind = 'creator'), a
 * campaign, a lifetime ad group whose budget is what was paid, and an approved ad of the video. Paid with coins (one
 * linked ledger batch: coins → the platform's COIN revenue, and the same value in USD credited to the creator's ad
 * balance) or by card (an ads top-up; the promotion starts when the provider confirms the payment).
 */
export function createPromoteService(deps: {
  db: Database;
  clock: Clock;
  log: Logger;
  ledger: LedgerService;
  billing: AdsBilling;
  publicUrl: string;
  isSuspended: (userId: string) => Promise<boolean>;
  /** The ad server reloads its ads and funds what became live (adsRuntime.refresh). */
  onAdsChanged: () => Promise<void>;
}) {
  const { db, clock, ledger, billing } = deps;
  const now = () => clock.now();

  const coinWallet = (userId: string) => ledger.ensureAccount({ asset: 'COIN', kind: 'wallet', ownerId: userId, flags: { debitsMustNotExceedCredits: true } });
  const coinRevenue = () => ledger.ensureAccount({ asset: 'COIN', kind: 'platform_revenue', ownerId: null });
  async function coins(userId: string) {
    const [w, r] = await Promise.all([ledger.findAccount('COIN', 'wallet', userId), ledger.findAccount('COIN', 'recovery', userId)]);
    return {
      available: w ? w.creditsPosted - w.debitsPosted - w.debitsPending : 0,
      recoveryOwed: r ? r.debitsPosted - r.creditsPosted - r.creditsPending : 0,
    };
  }

  /** The creator's own ad account, made on first use (one per person: a unique index decides races). */
  async function creatorAdvertiser(user: SessionUser) {
    const find = () => db.selectFrom('advertisers').select('id').where('created_by', '=', user.id).where('kind', '=', 'creator').executeTakeFirst();
    const hit = await find();
    if (hit) return hit.id;
    const u = await db.selectFrom('users').select(['display_name', 'username']).where('id', '=', user.id).executeTakeFirstOrThrow();
    const id = crypto.randomUUID();
    await db.transaction().execute(async (trx) => {
      const made = await trx
        .insertInto('advertisers')
        .values({ id, name: (u.display_name.trim() || `@${u.username}`).slice(0, 120), website: null, created_by: user.id, kind: 'creator' })
        .onConflict((oc) => oc.column('created_by').where('kind', '=', 'creator').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (made) await trx.insertInto('advertiser_members').values({ advertiser_id: id, user_id: user.id, role: 'owner' }).execute();
    });
    return (await find())!.id;
  }

  async function results(rows: Row[]): Promise<Map<string, Results>> {
    const out = new Map<string, Results>();
    if (!rows.length) return out;
    const adIds = rows.map((r) => r.ad_id);
    const imp = await db
      .selectFrom('ad_impressions')
      .select((eb) => [
        'ad_id',
        eb.fn.countAll<number>().as('impressions'),
        eb.fn.count<number>('viewer_key').distinct().as('reach'),
        eb.fn.count<number>('view2s_at').as('views'),
        eb.fn.count<number>('clicked_at').as('clicks'),
        eb.fn.count<number>('profile_visit_at').as('profileVisits'),
        eb.fn.coalesce(eb.fn.sum<number>('charged_micros'), eb.lit(0)).as('micros'),
      ])
      .where('ad_id', 'in', adIds)
      .where('invalid', 'is', null)
      .groupBy('ad_id')
      .execute();
    // Follows: people it was shown to who followed the creator after seeing it.
    const follows = await db
      .selectFrom('promotions as p')
      .innerJoin('ad_impressions as i', (j) => j.onRef('i.ad_id', '=', 'p.ad_id').on('i.invalid', 'is', null))
      .innerJoin('follows as f', (j) =>
        j
          .onRef('f.followee_id', '=', 'p.user_id')
          .on(sql<boolean>`f.follower_id::text = i.viewer_key`)
          .onRef('f.created_at', '>=', 'i.served_at'),
      )
      .select((eb) => ['p.ad_id', eb.fn.count<number>('f.follower_id').distinct().as('n')])
      .where('p.ad_id', 'in', adIds)
      .groupBy('p.ad_id')
      .execute();
    const followsBy = new Map(follows.map((f) => [f.ad_id, Number(f.n)]));
    for (const r of imp)
      out.set(r.ad_id, {
        impressions: Number(r.impressions),
        reach: Number(r.reach),
        views: Number(r.views),
        clicks: Number(r.clicks),
        follows: followsBy.get(r.ad_id) ?? 0,
        profileVisits: Number(r.profileVisits),
        spentCents: Math.floor(Number(r.micros) / MICROS_PER_CENT),
      });
    return out;
  }

  async function dtos(rows: Row[]): Promise<z.input<typeof Promotion>[]> {
    const res = await results(rows);
    const topupIds = rows.flatMap((r) => (r.topup_id ? [r.topup_id] : []));
    const topups = topupIds.length ? await db.selectFrom('ad_topups').select(['id', 'status', 'action_url']).where('id', 'in', topupIds).execute() : [];
    const topupBy = new Map(topups.map((t) => [t.id, t]));
    const t = now().getTime();
    return rows.map((r) => {
      const top = r.topup_id ? topupBy.get(r.topup_id) : undefined;
      return {
        id: r.id,
        videoId: r.video_id,
        goal: r.goal,
        days: r.days,
        status: r.status === 'active' && r.ends_at && r.ends_at.getTime() <= t ? 'completed' : r.status,
        payment: {
          method: r.payment,
          coins: r.coins === null ? null : Number(r.coins),
          amountCents: Number(r.amount_cents),
          topupStatus: top?.status ?? null,
          actionUrl: top?.action_url ?? null,
        },
        startsAt: r.starts_at?.toISOString() ?? null,
        endsAt: r.ends_at?.toISOString() ?? null,
        results: res.get(r.ad_id) ?? NO_RESULTS,
        advertiserId: r.advertiser_id,
        adGroupId: r.ad_group_id,
        createdAt: r.created_at.toISOString(),
      };
    });
  }
  const one = async (id: string) => (await dtos([await db.selectFrom('promotions').selectAll().where('id', '=', id).executeTakeFirstOrThrow()]))[0]!;

  /** Card promotions waiting for their payment: start the ones the provider confirmed, fail the ones it refused. */
  async function sync(userId?: string) {
    let q = db
      .selectFrom('promotions as p')
      .innerJoin('ad_topups as t', 't.id', 'p.topup_id')
      .select(['p.id', 'p.ad_group_id', 'p.days', 't.status'])
      .where('p.status', '=', 'awaiting_payment')
      .where('t.status', 'not in', ['pending', 'requires_action']);
    if (userId) q = q.where('p.user_id', '=', userId);
    const due = await q.limit(500).execute();
    let started = 0;
    for (const p of due) {
      const paid = p.status === 'succeeded';
      const start = now();
      const end = new Date(start.getTime() + p.days * DAY);
      await db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('promotions')
          .set(paid ? { status: 'active', starts_at: start, ends_at: end } : { status: 'payment_failed' })
          .where('id', '=', p.id)
          .where('status', '=', 'awaiting_payment')
          .executeTakeFirst();
        if (paid && moved.numUpdatedRows > 0n) {
          await trx
            .updateTable('ad_groups')
            .set({ status: 'active', start_at: start, end_at: end, updated_at: start })
            .where('id', '=', p.ad_group_id)
            .execute();
          started++;
        }
      });
    }
    if (started) await deps.onAdsChanged();
    return started;
  }

  async function build(
    trx: Transaction<DB>,
    user: SessionUser,
    b: PromoteBody,
    advertiserId: string,
    cents: number,
    live: boolean,
    username: string,
    topupId: string | null,
  ) {
    const start = now();
    const end = new Date(start.getTime() + b.days * DAY);
    const campaignId = crypto.randomUUID();
    const groupId = crypto.randomUUID();
    const adId = crypto.randomUUID();
    await trx
      .insertInto('ad_campaigns')
      .values({
        id: campaignId,
        advertiser_id: advertiserId,
        name: `Promote: ${b.goal.replace('_', ' ')}`,
        objective: b.goal === 'views' ? 'video_views' : 'community_interaction',
      })
      .execute();
    await trx
      .insertInto('ad_groups')
      .values({
        id: groupId,
        campaign_id: campaignId,
        name: `Promote ${b.days} day${b.days === 1 ? '' : 's'}`,
        status: live ? 'active' : 'paused',
        start_at: start,
        end_at: end,
        budget_period: 'lifetime',
        budget_micros: cents * MICROS_PER_CENT,
        pacing: 'smooth',
        bid_strategy: 'max_delivery',
        billing: 'OCPM',
        optimize_for: PROMOTE_GOAL[b.goal].optimizeFor,
        bid_micros: promoteBidMicros(b.goal),
        // Broad: everyone the feed may show the video to, adults and teens (there is no age-restricted video flag yet).
        targeting: JSON.stringify({}),
        frequency_cap: JSON.stringify(PROMOTE_FREQUENCY_CAP),
        restricted: false,
      })
      .execute();
    const cta =
      b.goal === 'views'
        ? { text: 'Watch more', url: `${deps.publicUrl}/v/${b.videoId}` }
        : { text: b.goal === 'follows' ? 'Follow' : 'Visit profile', url: `${deps.publicUrl}/@${encodeURIComponent(username)}` };
    // The automated checks (own, public, ready video; account in good standing) ran before: approved without staff review.
    await trx
      .insertInto('ads')
      .values({
        id: adId,
        ad_group_id: groupId,
        name: 'Promote',
        video_id: b.videoId,
        cta_text: cta.text,
        landing_url: cta.url,
        review_status: 'approved',
      })
      .execute();
    await trx
      .insertInto('promotions')
      .values({
        id: b.id,
        user_id: user.id,
        video_id: b.videoId,
        advertiser_id: advertiserId,
        campaign_id: campaignId,
        ad_group_id: groupId,
        ad_id: adId,
        goal: b.goal,
        days: b.days,
        payment: b.payment.method,
        coins: b.payment.method === 'coins' ? b.payment.coins : null,
        amount_cents: cents,
        topup_id: topupId,
        status: live ? 'active' : 'awaiting_payment',
        starts_at: live ? start : null,
        ends_at: live ? end : null,
      })
      .execute();
  }

  return {
    sync,

    async promote(user: SessionUser, b: PromoteBody) {
      const prior = await db.selectFrom('promotions').select(['user_id']).where('id', '=', b.id).executeTakeFirst();
      if (prior) {
        if (prior.user_id !== user.id) throw conflict('promotion_id_in_use', 'this promotion id is in use; choose a new one');
        return one(b.id);
      }
      if (user.isMinor) throw forbidden('Promote is for creators aged 18 and over', 'adults_only');
      if (await deps.isSuspended(user.id)) throw forbidden('your account is suspended', 'account_suspended');
      if (!Number.isInteger(b.days) || b.days < 1 || b.days > 7) throw badRequest('invalid_days', 'days: a promotion runs for 1 to 7 days');
      const v = await db.selectFrom('videos').select(['user_id', 'status', 'visibility']).where('id', '=', b.videoId).executeTakeFirst();
      if (!v || v.user_id !== user.id) throw badRequest('invalid_video', 'videoId: you can only promote your own videos');
      if (v.status !== 'ready') throw badRequest('video_not_ready', 'videoId: the video is still processing or failed; promote it once it plays');
      if (v.visibility !== 'public') throw badRequest('video_not_public', 'videoId: only a public video can be promoted');
      const cents = b.payment.method === 'coins' ? b.payment.coins * COIN_CENTS : b.payment.amountCents;
      const min = b.payment.method === 'card' ? PROMOTE_CARD_MIN_CENTS : PROMOTE_MIN_CENTS;
      if (cents < min || cents > PROMOTE_MAX_CENTS)
        throw badRequest(
          'invalid_budget',
          `the budget must be between ${min} and ${PROMOTE_MAX_CENTS} cents (${min / COIN_CENTS}–${PROMOTE_MAX_CENTS / COIN_CENTS} coins)`,
        );
      const { username } = await db.selectFrom('users').select('username').where('id', '=', user.id).executeTakeFirstOrThrow();

      if (b.payment.method === 'coins') {
        const c = await coins(user.id);
        if (c.recoveryOwed > 0)
          throw forbidden(`repay the ${c.recoveryOwed} coins owed from a refunded purchase before promoting (buy coins to repay)`, 'recovery_balance_owed');
        if (c.available < b.payment.coins)
          throw new AppError(402, 'insufficient_coins', `this promotion costs ${b.payment.coins} coins and you have ${c.available}`);
        const advertiserId = await creatorAdvertiser(user);
        const meta = { promotionId: b.id, videoId: b.videoId, userId: user.id };
        const batch: TransferRequest[] = [
          {
            id: derivedId(b.id, 'promote_coins'),
            debitAccountId: (await coinWallet(user.id)).id,
            creditAccountId: (await coinRevenue()).id,
            amount: b.payment.coins,
            code: 'promote',
            linked: true,
            meta,
          },
          {
            id: derivedId(b.id, 'promote_credit'),
            debitAccountId: await billing.acct.promoCredit(),
            creditAccountId: await billing.acct.balance(advertiserId),
            amount: cents,
            code: 'ads_promo_credit',
            meta,
          },
        ];
        try {
          await db.transaction().execute(async (trx) => {
            await build(trx, user, b, advertiserId, cents, true, username, null);
            const r = await ledger.createTransfers(batch, { trx });
            const bad = r.find((x) => x.status === 'failed' && x.error !== 'linked_event_failed');
            if (bad?.error === 'exceeds_credits')
              throw new AppError(402, 'insufficient_coins', `this promotion costs ${batch[0]!.amount} coins; you have fewer`);
            if (r.some((x) => x.status === 'failed'))
              throw conflict(`ledger_${bad?.error ?? 'refused'}`, 'the payment could not be recorded; nothing was charged');
          });
        } catch (err) {
          if (err instanceof Error && /duplicate key|unique/i.test(err.message)) {
            // The same id raced in twice: the first one won.
            const again = await db.selectFrom('promotions').select('user_id').where('id', '=', b.id).executeTakeFirst();
            if (again?.user_id === user.id) return one(b.id);
          }
          throw err;
        }
        await deps.onAdsChanged();
        return one(b.id);
      }

      // Card: an ads top-up of the creator's ad account; the promotion waits (paused) until the provider confirms it.
      const advertiserId = await creatorAdvertiser(user);
      const topupId = derivedId(b.id, 'promote_topup');
      const top = await billing.topUp(user, advertiserId, { id: topupId, amountCents: cents, paymentMethod: b.payment.paymentMethod });
      if (top.status === 'failed')
        throw new AppError(402, 'payment_declined', `the card payment failed: ${top.failureReason ?? 'declined'}; nothing was charged`);
      await db.transaction().execute(async (trx) => build(trx, user, b, advertiserId, cents, false, username, topupId));
      await sync(user.id);
      return one(b.id);
    },

    async list(user: SessionUser, videoId?: string) {
      await sync(user.id);
      let q = db.selectFrom('promotions').selectAll().where('user_id', '=', user.id);
      if (videoId) q = q.where('video_id', '=', videoId);
      return { items: await dtos(await q.orderBy('created_at', 'desc').limit(100).execute()) };
    },

    /** Stop early: the ad group is paused; what it did not spend stays in the creator's ad balance. */
    async stop(user: SessionUser, id: string) {
      await sync(user.id);
      const p = await db.selectFrom('promotions').selectAll().where('id', '=', id).where('user_id', '=', user.id).executeTakeFirst();
      if (!p) throw notFound('promotion');
      const running = (p.status === 'active' && (!p.ends_at || p.ends_at > now())) || p.status === 'awaiting_payment';
      if (!running) throw conflict('promotion_not_running', `this promotion has already ${p.status === 'stopped' ? 'been stopped' : 'ended'}`);
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('promotions').set({ status: 'stopped', stopped_at: at }).where('id', '=', id).execute();
        await trx.updateTable('ad_groups').set({ status: 'paused', updated_at: at }).where('id', '=', p.ad_group_id).execute();
      });
      await deps.onAdsChanged();
      return one(id);
    },
  };
}
export type PromoteService = ReturnType<typeof createPromoteService>;
