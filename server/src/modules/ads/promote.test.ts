import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ApiError, type FeedItem } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { SANDBOX_CARDS } from '../payments/sandbox-provider.ts';
import { sparkAdLive } from './spark.ts';

const uuid = () => crypto.randomUUID();
const rejects = async (p: Promise<unknown>, status: number, code?: string | RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, `${err.code}: ${err.message}`);
    if (typeof code === 'string') assert.equal(err.code, code, err.message);
    else if (code) assert.match(err.message, code);
    return true;
  });
};
const DAY = 86_400_000;

describe('Spark ads and Promote', () => {
  let t: TestApp;
  let creator: TestUser;
  let brand: TestUser;
  let viewer: TestUser;
  let moderator: TestUser;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const deliver = () => t.ctx.jobs['payments.deliver']({}, undefined as never);
  const db = () => t.ctx.dbh.db;

  before(async () => {
    t = await createTestApp({ clock });
    creator = await t.newUser({ displayName: 'Cora Creator' });
    brand = await t.newUser();
    viewer = await t.newUser();
    moderator = await t.newUser();
    await db()
      .updateTable('users')
      .set({ roles: ['user', 'moderator'] })
      .where('id', '=', moderator.me.id)
      .execute();
    const other = await t.newUser();
    for (let i = 0; i < 30; i++) await insertReadyVideo(t, { userId: other.me.id, at: new Date(Date.now() - i * 60_000), caption: `organic ${i} #dogs` });
    await t.ctx.recsys.reloadCatalog();
  });
  after(() => t.close());

  /** Sponsored items of two fresh feed sessions. */
  async function feedAds(user: TestUser) {
    const out: FeedItem[] = [];
    for (let s = 0; s < 2; s++) {
      let cursor: string | undefined;
      for (let i = 0; i < 2; i++) {
        const p = await user.client.call('forYou', { query: { limit: 10, cursor } });
        out.push(...p.items.filter((x) => x.sponsored));
        cursor = p.nextCursor ?? undefined;
      }
    }
    return out;
  }
  const wallet = async (u: TestUser) => (await u.client.call('wallet')).coins;

  test('the routes are documented in OpenAPI', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [p, m] of [
      ['/api/promotions', 'post'],
      ['/api/promotions/{id}/stop', 'post'],
      ['/api/spark-codes/{id}', 'delete'],
      ['/api/ads/ad-groups/{id}/spark-ads', 'post'],
    ] as const)
      assert.ok(doc.paths[p]?.[m], `openapi lacks ${m} ${p}`);
  });

  describe('Spark ads', () => {
    let videoId: string;
    let groupId: string;
    let code: string;
    let codeId: string;
    let adId: string;

    before(async () => {
      // Not in the recommender's catalogue: it can only reach the feed as an ad.
      videoId = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'my organic hit #cats' });
      const adv = await brand.client.call('createAdvertiser', { body: { name: 'Catfood Inc' } });
      await brand.client.call('adTopUp', { params: { id: adv.id }, body: { id: uuid(), amountCents: 10_000, paymentMethod: SANDBOX_CARDS.success } });
      await deliver();
      const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Spark', objective: 'video_views' } });
      const g = await brand.client.call('createAdGroup', {
        params: { id: c.id },
        body: {
          name: 'All adults',
          startAt: new Date(Date.now() - 60_000).toISOString(),
          endAt: null,
          budget: { period: 'daily', amountCents: 5_000 },
          pacing: 'fast',
          bidStrategy: 'bid_cap',
          billing: 'CPM',
          bidCents: 2_000,
          targeting: { ageBands: ['25-34'] },
          frequencyCap: null,
          restricted: false,
        },
      });
      groupId = g.id;
    });

    test('a creator authorises one of their own public videos; bad requests are refused', async () => {
      const made = await creator.client.call('createSparkCode', { body: { videoId, days: 7 } });
      assert.match(made.code, /^SPK(-[A-Z2-9]{5}){4}$/);
      assert.equal(made.status, 'active');
      assert.equal(made.hint, made.code.slice(-5));
      assert.ok(Math.abs(Date.parse(made.expiresAt) - (clock.now().getTime() + 7 * DAY)) < 60_000);
      code = made.code;
      codeId = made.id;
      const stored = await db().selectFrom('spark_codes').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.code_hash, made.code, 'only a hash of the code is stored');
      assert.ok(!JSON.stringify(await creator.client.call('mySparkCodes')).includes(made.code), 'the code is shown once');

      await rejects(brand.client.call('createSparkCode', { body: { videoId, days: 7 } }), 400, 'invalid_video');
      await rejects(creator.client.call('createSparkCode', { body: { videoId, days: 0 } }), 400, /at least 1/);
      await rejects(creator.client.call('createSparkCode', { body: { videoId, days: 31 } }), 400, /at most 30/);
      const priv = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'private', visibility: 'private' });
      await rejects(creator.client.call('createSparkCode', { body: { videoId: priv, days: 3 } }), 400, 'video_not_public');
      const teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 15}-01-01` });
      const teenVideo = await insertReadyVideo(t, { userId: teen.me.id, at: new Date(), caption: 'teen' });
      await rejects(teen.client.call('createSparkCode', { body: { videoId: teenVideo, days: 3 } }), 403, 'adults_only');
    });

    test('an advertiser boosts the organic video with the code; after review it is delivered as Sponsored', async () => {
      await rejects(
        brand.client.call('createSparkAd', {
          params: { id: groupId },
          body: { name: 'x', sparkCode: 'SPK-AAAAA-AAAAA-AAAAA-AAAAA', cta: { text: 'Shop', url: 'https://cat.example' } },
        }),
        400,
        'invalid_spark_code',
      );
      await rejects(
        viewer.client.call('createSparkAd', {
          params: { id: groupId },
          body: { name: 'x', sparkCode: code, cta: { text: 'Shop', url: 'https://cat.example' } },
        }),
        404,
      );
      // Typed by hand: lower case, spaces instead of dashes.
      const typed = code.toLowerCase().replaceAll('-', ' ');
      const ad = await brand.client.call('createSparkAd', {
        params: { id: groupId },
        body: { name: 'Boost Cora', sparkCode: typed, cta: { text: 'Shop now', url: 'https://cat.example/shop' } },
      });
      adId = ad.id;
      assert.equal(ad.spark, true);
      assert.equal(ad.videoId, videoId);
      assert.equal(ad.review.status, 'pending', 'a Spark ad goes through review like any ad');
      await t.ctx.adsRuntime.refresh();
      assert.equal((await feedAds(viewer)).filter((x) => x.sponsored!.adId === ad.id).length, 0, 'not delivered before review');

      const queue = await moderator.client.call('adReviewQueue');
      assert.ok(queue.items.some((i) => i.id === ad.id && i.spark));
      await moderator.client.call('reviewAd', { params: { id: ad.id }, body: { decision: 'approve' } });
      await t.ctx.adsRuntime.refresh();
      const shown = (await feedAds(viewer)).filter((x) => x.sponsored!.adId === ad.id);
      assert.ok(shown.length >= 1);
      assert.equal(shown[0]!.video.id, videoId, "the creator's own video");
      assert.equal(shown[0]!.sponsored!.label, 'Sponsored');
      assert.equal(shown[0]!.sponsored!.by, 'Catfood Inc');
      assert.equal((await creator.client.call('mySparkCodes')).items.find((c) => c.id === codeId)!.ads, 1);
    });

    test('revoking the code stops delivery; revoked and expired codes are refused', async () => {
      const r = await creator.client.call('revokeSparkCode', { params: { id: codeId } });
      assert.equal(r.status, 'revoked');
      assert.equal((await db().selectFrom('ads').select('status').where('id', '=', adId).executeTakeFirstOrThrow()).status, 'paused');
      assert.equal((await feedAds(viewer)).filter((x) => x.sponsored!.adId === adId).length, 0, 'no longer delivered');
      await rejects(
        brand.client.call('createSparkAd', {
          params: { id: groupId },
          body: { name: 'again', sparkCode: code, cta: { text: 'Go', url: 'https://cat.example' } },
        }),
        400,
        'spark_code_revoked',
      );
      await rejects(brand.client.call('revokeSparkCode', { params: { id: codeId } }), 404);

      const short = await creator.client.call('createSparkCode', { body: { videoId, days: 1 } });
      const ad2 = await brand.client.call('createSparkAd', {
        params: { id: groupId },
        body: { name: 'Short', sparkCode: short.code, cta: { text: 'Go', url: 'https://cat.example' } },
      });
      // The ad server's load condition: live while the code is, not once it expired.
      const live = async (at: Date) =>
        (
          await db()
            .selectFrom('ads')
            .innerJoin('ad_groups as g', 'g.id', 'ads.ad_group_id')
            .select('ads.id')
            .where('ads.id', '=', ad2.id)
            .where(sparkAdLive(at))
            .execute()
        ).length;
      assert.equal(await live(clock.now()), 1);
      assert.equal(await live(new Date(clock.now().getTime() + 2 * DAY)), 0);
      offset += 2 * DAY;
      try {
        await rejects(
          brand.client.call('createSparkAd', {
            params: { id: groupId },
            body: { name: 'late', sparkCode: short.code, cta: { text: 'Go', url: 'https://cat.example' } },
          }),
          400,
          'spark_code_expired',
        );
        assert.equal((await creator.client.call('mySparkCodes')).items.find((c) => c.id === short.id)!.status, 'expired');
      } finally {
        offset -= 2 * DAY;
      }
      await db().updateTable('ad_groups').set({ status: 'paused' }).where('id', '=', groupId).execute();
      await t.ctx.adsRuntime.refresh();
    });
  });

  describe('Promote', () => {
    let videoId: string;

    before(async () => {
      videoId = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'promote me #cats' });
      await creator.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
      await deliver();
      assert.equal(await wallet(creator), 1_000);
    });

    test('bad input is refused with clear errors and nothing is charged', async () => {
      const body = (over: Record<string, unknown> = {}) => ({
        id: uuid(),
        videoId,
        goal: 'views' as const,
        days: 3,
        payment: { method: 'coins' as const, coins: 500 },
        ...over,
      });
      const teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 16}-06-01` });
      const teenVideo = await insertReadyVideo(t, { userId: teen.me.id, at: new Date(), caption: 'teen' });
      await rejects(teen.client.call('promote', { body: body({ videoId: teenVideo }) }), 403, 'adults_only');
      await rejects(brand.client.call('promote', { body: body() }), 400, 'invalid_video');
      const priv = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'p', visibility: 'private' });
      await rejects(creator.client.call('promote', { body: body({ videoId: priv }) }), 400, 'video_not_public');
      const processing = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'p' });
      await db().updateTable('videos').set({ status: 'processing' }).where('id', '=', processing).execute();
      await rejects(creator.client.call('promote', { body: body({ videoId: processing }) }), 400, 'video_not_ready');
      await rejects(creator.client.call('promote', { body: body({ days: 0 }) }), 400, /at least 1/);
      await rejects(creator.client.call('promote', { body: body({ days: 8 }) }), 400, /at most 7/);
      await rejects(creator.client.call('promote', { body: body({ goal: 'likes' }) }), 400);
      await rejects(creator.client.call('promote', { body: body({ payment: { method: 'coins', coins: 100 } }) }), 400, /at least 500 coins/);
      await rejects(creator.client.call('promote', { body: body({ payment: { method: 'coins', coins: 500_000 } }) }), 400, /at most/);
      await rejects(creator.client.call('promote', { body: body({ payment: { method: 'coins', coins: 5_000 } }) }), 402, 'insufficient_coins');
      await rejects(
        creator.client.call('promote', { body: body({ payment: { method: 'card', amountCents: 2_000, paymentMethod: SANDBOX_CARDS.decline } }) }),
        402,
        'payment_declined',
      );
      assert.equal(await wallet(creator), 1_000, 'no coins taken');
      assert.equal((await db().selectFrom('promotions').select('id').where('user_id', '=', creator.me.id).execute()).length, 0);
      assert.equal((await db().selectFrom('promotions').select('id').execute()).length, 0);
    });

    test('a creator promotes a video with coins: it reaches another feed as Sponsored by the creator, results fill in, stop keeps the rest', async () => {
      const id = uuid();
      const p = await creator.client.call('promote', { body: { id, videoId, goal: 'follows', days: 3, payment: { method: 'coins', coins: 600 } } });
      assert.equal(p.status, 'active');
      assert.equal(p.payment.amountCents, 600, '1 coin = 1 US cent (the catalogue price)');
      assert.equal(Date.parse(p.endsAt!) - Date.parse(p.startsAt!), 3 * DAY);
      assert.equal(await wallet(creator), 400);
      // The same id again is the same promotion, charged once.
      assert.equal(
        (await creator.client.call('promote', { body: { id, videoId, goal: 'follows', days: 3, payment: { method: 'coins', coins: 600 } } })).id,
        id,
      );
      assert.equal(await wallet(creator), 400);
      await rejects(brand.client.call('promote', { body: { id, videoId, goal: 'follows', days: 3, payment: { method: 'coins', coins: 600 } } }), 409);

      // Under the hood: the creator's own ad account, a lifetime oCPM group bidding on follows with the amount as budget, an approved ad.
      const adv = await db().selectFrom('advertisers').selectAll().where('id', '=', p.advertiserId).executeTakeFirstOrThrow();
      assert.equal(adv.kind, 'creator');
      assert.equal(adv.name, 'Cora Creator');
      const g = await db().selectFrom('ad_groups').selectAll().where('id', '=', p.adGroupId).executeTakeFirstOrThrow();
      assert.equal(g.budget_period, 'lifetime');
      assert.equal(Number(g.budget_micros), 600 * 10_000);
      assert.equal(g.billing, 'OCPM');
      assert.equal(g.optimize_for, 'follow');
      assert.equal(Number(g.bid_micros), 800_000, 'a bid per follow worth a $4.00 CPM at the 0.5 % prior');
      assert.deepEqual(g.targeting, {});
      const camp = await db().selectFrom('ad_campaigns').select('objective').where('id', '=', g.campaign_id).executeTakeFirstOrThrow();
      assert.equal(camp.objective, 'community_interaction');
      const bal = await creator.client.call('adBalance', { params: { id: p.advertiserId } });
      assert.equal(bal.availableCents + bal.reservedCents, 600, 'the coins’ value is in the creator’s ad balance');

      // Smooth pacing enters a new group in about 1 auction in 5 at first: scroll sessions until it wins one.
      const shown: FeedItem[] = [];
      for (let i = 0; i < 15 && !shown.length; i++) shown.push(...(await feedAds(viewer)).filter((x) => x.video.id === videoId));
      assert.ok(shown.length >= 1, 'delivered in another person’s feed');
      const item = shown[0]!;
      assert.equal(item.sponsored!.label, 'Sponsored');
      assert.equal(item.sponsored!.by, 'Cora Creator');
      assert.equal(item.sponsored!.cta!.text, 'Follow');

      offset += 3_000;
      await viewer.client.call('adTrack', {
        body: {
          events: [
            { impressionId: item.sponsored!.impressionId, type: 'viewable' },
            { impressionId: item.sponsored!.impressionId, type: 'view2s', watchMs: 2_100 },
          ],
        },
      });
      await viewer.client.call('follow', { params: { username: creator.me.username }, query: {} });
      await t.ctx.adsRuntime.flush();
      const [mine] = (await creator.client.call('myPromotions', { query: { videoId } })).items;
      assert.equal(mine!.id, id);
      assert.equal(mine!.results.impressions, shown.length);
      assert.equal(mine!.results.reach, 1);
      assert.equal(mine!.results.views, 1);
      assert.equal(mine!.results.follows, 1);
      assert.ok(mine!.results.spentCents <= 600);

      const stopped = await creator.client.call('stopPromotion', { params: { id } });
      assert.equal(stopped.status, 'stopped');
      await rejects(creator.client.call('stopPromotion', { params: { id } }), 409, 'promotion_not_running');
      await rejects(brand.client.call('stopPromotion', { params: { id } }), 404);
      assert.equal((await feedAds(viewer)).filter((x) => x.video.id === videoId).length, 0, 'a stopped promotion is not delivered');
      await t.ctx.adsRuntime.stop();
      const after = await creator.client.call('adBalance', { params: { id: p.advertiserId } });
      assert.equal(after.reservedCents, 0);
      assert.equal(after.availableCents, 600 - after.spentCents, 'what was not spent stays in the ad balance');
      const rec = await t.ctx.ledger.reconcile();
      assert.equal(rec.ok, true, JSON.stringify(rec.violations));
      await t.ctx.adsRuntime.start({ follow: false });
    });

    test('paid by card: waits for the provider, then runs; the same ad account is reused', async () => {
      const id = uuid();
      const p = await creator.client.call('promote', {
        body: { id, videoId, goal: 'views', days: 1, payment: { method: 'card', amountCents: 1_500, paymentMethod: SANDBOX_CARDS.success } },
      });
      assert.equal(p.status, 'awaiting_payment');
      assert.equal(p.startsAt, null);
      await deliver();
      const [mine] = (await creator.client.call('myPromotions', { query: {} })).items;
      assert.equal(mine!.id, id);
      assert.equal(mine!.status, 'active');
      assert.equal(mine!.payment.topupStatus, 'succeeded');
      assert.equal(Date.parse(mine!.endsAt!) - Date.parse(mine!.startsAt!), DAY);
      const advs = await db().selectFrom('advertisers').select('id').where('created_by', '=', creator.me.id).where('kind', '=', 'creator').execute();
      assert.equal(advs.length, 1);
      const g = await db().selectFrom('ad_groups').select(['status', 'budget_micros']).where('id', '=', mine!.adGroupId).executeTakeFirstOrThrow();
      assert.equal(g.status, 'active');
      assert.equal(Number(g.budget_micros), 1_500 * 10_000);
      const camp = await db()
        .selectFrom('promotions as p')
        .innerJoin('ad_campaigns as c', 'c.id', 'p.campaign_id')
        .select('c.objective')
        .where('p.id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(camp.objective, 'video_views');
      assert.equal(await wallet(creator), 400, 'a card promotion takes no coins');
      // Past its days it reads as completed and cannot be stopped.
      offset += DAY + 60_000;
      try {
        const [done] = (await creator.client.call('myPromotions', { query: {} })).items;
        assert.equal(done!.status, 'completed');
        await rejects(creator.client.call('stopPromotion', { params: { id } }), 409);
      } finally {
        offset -= DAY + 60_000;
      }
    });
  });
});
