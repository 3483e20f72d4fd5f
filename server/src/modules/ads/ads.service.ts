import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Ad, AdBody, AdGroup, AdGroupBody, Advertiser, Campaign } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import type { AdGroupsTable, AdsTable, AdCampaignsTable } from '../../platform/db/schema.ts';
import { badRequest, forbidden, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosRepo } from '../videos/videos.repo.ts';
import { checkAudienceKeys } from './ads.audiences.ts';

type Role = 'owner' | 'admin' | 'analyst';
const MICROS_PER_CENT = 10_000;

const campaignDto = (c: Selectable<AdCampaignsTable>): z.input<typeof Campaign> => ({
  id: c.id,
  advertiserId: c.advertiser_id,
  name: c.name,
  objective: c.objective,
  status: c.status,
  createdAt: c.created_at.toISOString(),
});
const groupDto = (g: Selectable<AdGroupsTable>): z.input<typeof AdGroup> => ({
  id: g.id,
  campaignId: g.campaign_id,
  name: g.name,
  status: g.status,
  startAt: g.start_at.toISOString(),
  endAt: g.end_at?.toISOString() ?? null,
  budget: { period: g.budget_period, amountCents: Math.round(g.budget_micros / MICROS_PER_CENT) },
  pacing: g.pacing,
  bidStrategy: g.bid_strategy,
  billing: g.billing,
  bidCents: Math.round(g.bid_micros / MICROS_PER_CENT),
  targeting: g.targeting,
  frequencyCap: g.frequency_cap,
  restricted: g.restricted,
  optimizeFor: g.billing === 'OCPM' ? (g.optimize_for ?? 'conversion') : null,
  createdAt: g.created_at.toISOString(),
});
const adDto = (a: Selectable<AdsTable>): z.input<typeof Ad> => ({
  id: a.id,
  adGroupId: a.ad_group_id,
  name: a.name,
  videoId: a.video_id,
  spark: a.spark,
  cta: { text: a.cta_text, url: a.landing_url },
  status: a.status,
  review: { status: a.review_status, reason: a.review_reason },
  createdAt: a.created_at.toISOString(),
});

/**
 * Ads manager: advertisers (with members and roles) own campaigns → ad groups → ads. Owners and
 * admins edit; analysts only read; nobody else sees anything (a 404, so ids do not leak).
 */
export function createAdsService(deps: { db: Database; videosRepo: VideosRepo }) {
  const { db } = deps;

  async function roleOf(user: SessionUser, advertiserId: string): Promise<Role> {
    const m = await db
      .selectFrom('advertiser_members')
      .select('role')
      .where('advertiser_id', '=', advertiserId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (!m) throw notFound('advertiser');
    return m.role;
  }
  const mustModerate = (u: SessionUser) => {
    if (!u.roles.includes('moderator') && !u.roles.includes('admin')) throw forbidden('only moderators and admins review ads');
  };
  const mustEdit = (role: Role) => {
    if (role === 'analyst') throw forbidden('analysts can read reports but not change campaigns');
  };

  async function campaignFor(user: SessionUser, id: string, edit: boolean) {
    const c = await db.selectFrom('ad_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('campaign');
    const role = await roleOf(user, c.advertiser_id).catch(() => {
      throw notFound('campaign');
    });
    if (edit) mustEdit(role);
    return c;
  }
  async function groupFor(user: SessionUser, id: string, edit: boolean) {
    const g = await db.selectFrom('ad_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!g) throw notFound('ad group');
    const c = await campaignFor(user, g.campaign_id, edit).catch((err: unknown) => {
      throw err instanceof Error && 'status' in err && err.status === 404 ? notFound('ad group') : err;
    });
    return { g, c };
  }

  return {
    async createAdvertiser(user: SessionUser, body: { name: string; website?: string }): Promise<z.input<typeof Advertiser>> {
      if (user.isMinor) throw forbidden('advertiser accounts are for adults', 'adults_only');
      const id = crypto.randomUUID();
      const row = await db.transaction().execute(async (trx) => {
        const a = await trx
          .insertInto('advertisers')
          .values({ id, name: body.name, website: body.website ?? null, created_by: user.id })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.insertInto('advertiser_members').values({ advertiser_id: id, user_id: user.id, role: 'owner' }).execute();
        return a;
      });
      return { id: row.id, name: row.name, website: row.website, role: 'owner', createdAt: row.created_at.toISOString() };
    },
    async myAdvertisers(user: SessionUser) {
      const rows = await db
        .selectFrom('advertisers')
        .innerJoin('advertiser_members as m', 'm.advertiser_id', 'advertisers.id')
        .select(['advertisers.id', 'advertisers.name', 'advertisers.website', 'advertisers.created_at', 'm.role'])
        .where('m.user_id', '=', user.id)
        .orderBy('advertisers.created_at', 'desc')
        .execute();
      return { items: rows.map((r) => ({ id: r.id, name: r.name, website: r.website, role: r.role, createdAt: r.created_at.toISOString() })) };
    },
    async createCampaign(user: SessionUser, advertiserId: string, body: { name: string; objective: Selectable<AdCampaignsTable>['objective'] }) {
      mustEdit(await roleOf(user, advertiserId));
      const c = await db
        .insertInto('ad_campaigns')
        .values({ id: crypto.randomUUID(), advertiser_id: advertiserId, name: body.name, objective: body.objective })
        .returningAll()
        .executeTakeFirstOrThrow();
      return campaignDto(c);
    },
    async campaigns(user: SessionUser, advertiserId: string) {
      await roleOf(user, advertiserId);
      const rows = await db.selectFrom('ad_campaigns').selectAll().where('advertiser_id', '=', advertiserId).orderBy('created_at', 'desc').execute();
      return { items: rows.map(campaignDto) };
    },
    async updateCampaign(user: SessionUser, id: string, patch: { name?: string; status?: 'active' | 'paused' | 'archived' }) {
      await campaignFor(user, id, true);
      const c = await db
        .updateTable('ad_campaigns')
        .set({ ...(patch.name ? { name: patch.name } : {}), ...(patch.status ? { status: patch.status } : {}), updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return campaignDto(c);
    },
    /** A paused copy with the same ad groups and ads (ads go through review again). */
    async duplicateCampaign(user: SessionUser, id: string) {
      const src = await campaignFor(user, id, true);
      return db.transaction().execute(async (trx) => {
        const copy = await trx
          .insertInto('ad_campaigns')
          .values({
            id: crypto.randomUUID(),
            advertiser_id: src.advertiser_id,
            name: `${src.name} (copy)`.slice(0, 120),
            objective: src.objective,
            status: 'paused',
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        for (const g of await trx.selectFrom('ad_groups').selectAll().where('campaign_id', '=', id).execute()) {
          const gid = crypto.randomUUID();
          await trx
            .insertInto('ad_groups')
            .values({
              ...g,
              id: gid,
              campaign_id: copy.id,
              targeting: JSON.stringify(g.targeting),
              frequency_cap: JSON.stringify(g.frequency_cap),
              created_at: undefined,
              updated_at: undefined,
            })
            .execute();
          for (const a of await trx.selectFrom('ads').selectAll().where('ad_group_id', '=', g.id).execute())
            await trx
              .insertInto('ads')
              .values({ ...a, id: crypto.randomUUID(), ad_group_id: gid, review_status: 'pending', review_reason: null, created_at: undefined })
              .execute();
        }
        return campaignDto(copy);
      });
    },
    async createAdGroup(user: SessionUser, campaignId: string, b: AdGroupBody) {
      const c = await campaignFor(user, campaignId, true);
      await checkAudienceKeys(db, c.advertiser_id, b.targeting.audiences);
      const g = await db
        .insertInto('ad_groups')
        .values({
          id: crypto.randomUUID(),
          campaign_id: campaignId,
          name: b.name,
          start_at: b.startAt,
          end_at: b.endAt,
          budget_period: b.budget.period,
          budget_micros: b.budget.amountCents * MICROS_PER_CENT,
          pacing: b.pacing,
          bid_strategy: b.bidStrategy,
          billing: b.billing,
          bid_micros: b.bidCents * MICROS_PER_CENT,
          targeting: JSON.stringify(b.targeting),
          frequency_cap: JSON.stringify(b.frequencyCap),
          restricted: b.restricted,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return groupDto(g);
    },
    async adGroups(user: SessionUser, campaignId: string) {
      await campaignFor(user, campaignId, false);
      const rows = await db.selectFrom('ad_groups').selectAll().where('campaign_id', '=', campaignId).orderBy('created_at', 'desc').execute();
      return { items: rows.map(groupDto) };
    },
    async updateAdGroup(user: SessionUser, id: string, status: 'active' | 'paused' | 'archived') {
      await groupFor(user, id, true);
      const g = await db.updateTable('ad_groups').set({ status, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      return groupDto(g);
    },
    /** An ad from the advertiser's own ready public video; automatic checks pass it to staff review. */
    async createAd(user: SessionUser, groupId: string, b: z.infer<typeof AdBody>) {
      await groupFor(user, groupId, true);
      const v = await deps.videosRepo.byId(b.videoId);
      if (!v || v.user_id !== user.id) throw badRequest('invalid_video', 'videoId must be one of your own videos');
      if (v.status !== 'ready') throw badRequest('video_not_ready', 'the video is still processing or failed; wait until it plays');
      if (v.visibility !== 'public') throw badRequest('video_not_public', 'an ad video must be public');
      const a = await db
        .insertInto('ads')
        .values({ id: crypto.randomUUID(), ad_group_id: groupId, name: b.name, video_id: b.videoId, cta_text: b.cta.text, landing_url: b.cta.url })
        .returningAll()
        .executeTakeFirstOrThrow();
      return adDto(a);
    },
    /** Staff review: ads that passed the automatic checks (own ready public video, http(s) landing URL), oldest first. */
    async reviewQueue(staff: SessionUser) {
      mustModerate(staff);
      const rows = await db
        .selectFrom('ads')
        .innerJoin('ad_groups as g', 'g.id', 'ads.ad_group_id')
        .innerJoin('ad_campaigns as c', 'c.id', 'g.campaign_id')
        .innerJoin('advertisers as a', 'a.id', 'c.advertiser_id')
        .selectAll('ads')
        .select('a.name as advertiser')
        .where('ads.review_status', '=', 'pending')
        .orderBy('ads.created_at')
        .limit(100)
        .execute();
      return { items: rows.map((r) => ({ ...adDto(r), advertiser: r.advertiser, landingHost: new URL(r.landing_url).host })) };
    },
    async review(staff: SessionUser, adId: string, decision: 'approve' | 'reject', reason?: string) {
      mustModerate(staff);
      const a = await db
        .updateTable('ads')
        .set({ review_status: decision === 'approve' ? 'approved' : 'rejected', review_reason: decision === 'reject' ? (reason ?? null) : null })
        .where('id', '=', adId)
        .returningAll()
        .executeTakeFirst();
      if (!a) throw notFound('ad');
      return adDto(a);
    },
    async ads(user: SessionUser, groupId: string) {
      await groupFor(user, groupId, false);
      const rows = await db.selectFrom('ads').selectAll().where('ad_group_id', '=', groupId).orderBy('created_at', 'desc').execute();
      return { items: rows.map(adDto) };
    },
  };
}
export type AdsService = ReturnType<typeof createAdsService>;
