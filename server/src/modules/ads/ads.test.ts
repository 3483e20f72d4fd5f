import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type AdGroupBody } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';

const rejects = async (p: Promise<unknown>, status: number, match?: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    if (match) assert.match(err.message, match);
    return true;
  });
};

describe('ads manager: advertisers, campaigns, ad groups, ads', () => {
  let t: TestApp;
  let brand: TestUser;
  let stranger: TestUser;
  const group = (over: Record<string, unknown> = {}) =>
    ({
      name: 'Evening, US',
      startAt: new Date().toISOString(),
      endAt: null,
      budget: { period: 'daily', amountCents: 5000 },
      billing: 'CPM',
      bidCents: 800,
      targeting: { ageBands: ['18-24', '25-34'], countries: ['US'], interests: ['#Cats'] },
      frequencyCap: { max: 3, days: 1 },
      ...over,
    }) as AdGroupBody;
  before(async () => {
    t = await createTestApp();
    brand = await t.newUser();
    stranger = await t.newUser();
  });
  after(() => t.close());

  test('a brand builds a campaign → ad group → ad from its own ready video', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Catfood Inc', website: 'https://catfood.example' } });
    assert.equal(adv.role, 'owner');
    assert.equal((await brand.client.call('myAdvertisers', {})).items.length, 1);
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Launch', objective: 'video_views' } });
    const g = await brand.client.call('createAdGroup', { params: { id: c.id }, body: group() });
    assert.deepEqual(g.budget, { period: 'daily', amountCents: 5000 });
    assert.equal(g.bidCents, 800);
    assert.deepEqual(g.targeting.interests, ['cats'], 'hashtags are normalised');
    const videoId = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'Our food #cats' });
    const ad = await brand.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'Spot 1', videoId, cta: { text: 'Shop now', url: 'https://catfood.example/shop' } },
    });
    assert.equal(ad.review.status, 'pending', 'every ad is reviewed before delivery');
    assert.equal((await brand.client.call('ads', { params: { id: g.id } })).items.length, 1);

    const paused = await brand.client.call('updateAdGroup', { params: { id: g.id }, body: { status: 'paused' } });
    assert.equal(paused.status, 'paused');
    const copy = await brand.client.call('duplicateCampaign', { params: { id: c.id } });
    assert.equal(copy.status, 'paused');
    const copiedGroups = await brand.client.call('adGroups', { params: { id: copy.id } });
    assert.equal(copiedGroups.items.length, 1);
    assert.equal((await brand.client.call('ads', { params: { id: copiedGroups.items[0]!.id } })).items[0]!.review.status, 'pending');
  });

  test('bad input gets a 400 naming the problem, and nothing is stored', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Bad inputs' } });
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'B', objective: 'traffic' } });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ budget: { period: 'daily', amountCents: -100 } }, /budget/],
      [{ budget: { period: 'daily', amountCents: 1e12 } }, /budget/],
      [{ budget: { period: 'daily', amountCents: 1000.5 } }, /whole cents/],
      [{ budget: { period: 'lifetime', amountCents: 10_000 } }, /end date/],
      [{ endAt: new Date(Date.now() - 86_400_000).toISOString() }, /after startAt/],
      [{ bidCents: 0 }, /bid/],
      [{ restricted: true, targeting: { ageBands: ['13-17', '18-24'] } }, /13–17/],
      [{ targeting: { countries: ['usa'] } }, /two-letter/],
      [{ frequencyCap: { max: 0, days: 1 } }, /frequencyCap/],
    ];
    for (const [over, why] of cases) await rejects(brand.client.call('createAdGroup', { params: { id: c.id }, body: group(over) }), 400, why);
    assert.equal((await brand.client.call('adGroups', { params: { id: c.id } })).items.length, 0);

    const g = await brand.client.call('createAdGroup', { params: { id: c.id }, body: group() });
    const mine = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'ok' });
    const theirs = await insertReadyVideo(t, { userId: stranger.me.id, at: new Date(), caption: 'not yours' });
    const priv = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'private', visibility: 'private' });
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://files.example/x'])
      await rejects(brand.client.call('createAd', { params: { id: g.id }, body: { name: 'x', videoId: mine, cta: { text: 'Go', url } } }), 400);
    await rejects(
      brand.client.call('createAd', { params: { id: g.id }, body: { name: 'x', videoId: theirs, cta: { text: 'Go', url: 'https://a.example' } } }),
      400,
      /your own/,
    );
    await rejects(
      brand.client.call('createAd', { params: { id: g.id }, body: { name: 'x', videoId: priv, cta: { text: 'Go', url: 'https://a.example' } } }),
      400,
      /public/,
    );
    assert.equal((await brand.client.call('ads', { params: { id: g.id } })).items.length, 0);
  });

  test('nobody else sees or changes an advertiser’s campaigns; analysts read only; minors cannot advertise', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Private brand' } });
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Secret', objective: 'reach' } });
    const g = await brand.client.call('createAdGroup', { params: { id: c.id }, body: group() });
    await rejects(stranger.client.call('campaigns', { params: { id: adv.id } }), 404);
    await rejects(stranger.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'x', objective: 'reach' } }), 404);
    await rejects(stranger.client.call('updateCampaign', { params: { id: c.id }, body: { status: 'paused' } }), 404);
    await rejects(stranger.client.call('adGroups', { params: { id: c.id } }), 404);
    await rejects(stranger.client.call('updateAdGroup', { params: { id: g.id }, body: { status: 'paused' } }), 404);
    await rejects(stranger.client.call('ads', { params: { id: g.id } }), 404);
    await rejects(stranger.client.call('duplicateCampaign', { params: { id: c.id } }), 404);
    await rejects(t.anon.call('myAdvertisers', {}), 401);

    const analyst = await t.newUser();
    await t.ctx.dbh.db.insertInto('advertiser_members').values({ advertiser_id: adv.id, user_id: analyst.me.id, role: 'analyst' }).execute();
    assert.equal((await analyst.client.call('adGroups', { params: { id: c.id } })).items.length, 1);
    await rejects(analyst.client.call('updateAdGroup', { params: { id: g.id }, body: { status: 'paused' } }), 403);
    await rejects(analyst.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'x', objective: 'reach' } }), 403);

    const teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 15}-01-01` });
    await rejects(teen.client.call('createAdvertiser', { body: { name: 'Teen brand' } }), 403);
  });

  test('staff review: moderators approve or reject with a reason; nobody else can', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Reviewed brand' } });
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'R', objective: 'traffic' } });
    const g = await brand.client.call('createAdGroup', { params: { id: c.id }, body: group() });
    const videoId = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'review me' });
    const ad = await brand.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'R1', videoId, cta: { text: 'Visit', url: 'https://brand.example/a?x=1' } },
    });
    const mod = await t.newUser();
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'moderator'] })
      .where('id', '=', mod.me.id)
      .execute();
    const modNow = mod; // roles are read per request: the open session is a moderator now
    const queue = await modNow.client.call('adReviewQueue', {});
    const item = queue.items.find((i) => i.id === ad.id);
    assert.ok(item);
    assert.equal(item.advertiser, 'Reviewed brand');
    assert.equal(item.landingHost, 'brand.example');
    await rejects(brand.client.call('adReviewQueue', {}), 403);
    await rejects(brand.client.call('reviewAd', { params: { id: ad.id }, body: { decision: 'approve' } }), 403);
    await rejects(modNow.client.call('reviewAd', { params: { id: ad.id }, body: { decision: 'reject' } }), 400, /reason/);
    const rejected = await modNow.client.call('reviewAd', {
      params: { id: ad.id },
      body: { decision: 'reject', reason: 'The landing page does not match the ad' },
    });
    assert.deepEqual(rejected.review, { status: 'rejected', reason: 'The landing page does not match the ad' });
    const approved = await modNow.client.call('reviewAd', { params: { id: ad.id }, body: { decision: 'approve' } });
    assert.deepEqual(approved.review, { status: 'approved', reason: null });
    assert.ok(!(await modNow.client.call('adReviewQueue', {})).items.some((i) => i.id === ad.id));
  });
});
