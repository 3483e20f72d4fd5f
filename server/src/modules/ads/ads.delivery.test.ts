import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ApiError, type AdGroupBody, type FeedItem } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { SANDBOX_CARDS } from '../payments/sandbox-provider.ts';

const rejects = async (p: Promise<unknown>, status: number, match?: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    if (match) assert.match(err.message, match);
    return true;
  });
};

describe('ads delivery: top-up → auction in the feed → tracking → billing on the ledger', () => {
  let t: TestApp;
  let brand: TestUser;
  let viewer: TestUser;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const deliver = () => t.ctx.jobs['payments.deliver']({}, undefined as never);

  before(async () => {
    t = await createTestApp({ clock });
    brand = await t.newUser();
    viewer = await t.newUser();
    const creator = await t.newUser();
    for (let i = 0; i < 30; i++) await insertReadyVideo(t, { userId: creator.me.id, at: new Date(Date.now() - i * 60_000), caption: `organic ${i} #dogs` });
    await t.ctx.recsys.reloadCatalog();
  });
  after(() => t.close());

  async function liveAd(over: Partial<AdGroupBody> = {}) {
    const adv = await brand.client.call('createAdvertiser', { body: { name: `Catfood ${crypto.randomBytes(2).toString('hex')}` } });
    const top = await brand.client.call('adTopUp', {
      params: { id: adv.id },
      body: { id: crypto.randomUUID(), amountCents: 10_000, paymentMethod: SANDBOX_CARDS.success },
    });
    assert.equal(top.status, 'pending', 'credited only when the provider confirms');
    assert.equal((await brand.client.call('adBalance', { params: { id: adv.id } })).availableCents, 0);
    await deliver();
    const bal = await brand.client.call('adBalance', { params: { id: adv.id } });
    assert.equal(bal.availableCents, 10_000);
    assert.equal(bal.topups[0]!.status, 'succeeded');
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Launch', objective: 'traffic' } });
    const g = await brand.client.call('createAdGroup', {
      params: { id: c.id },
      body: {
        name: 'Adults',
        startAt: new Date(Date.now() - 60_000).toISOString(),
        endAt: null,
        budget: { period: 'daily', amountCents: 5_000 },
        pacing: 'fast',
        bidStrategy: 'bid_cap',
        billing: 'CPM',
        bidCents: 2_000,
        targeting: { ageBands: ['25-34', '35-44'] },
        frequencyCap: { max: 2, days: 1 },
        restricted: false,
        ...over,
      },
    });
    const videoId = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'Our food #cats' });
    const ad = await brand.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'Spot', videoId, cta: { text: 'Shop now', url: 'https://catfood.example/shop' } },
    });
    await t.ctx.dbh.db.updateTable('ads').set({ review_status: 'approved' }).where('id', '=', ad.id).execute();
    await t.ctx.adsRuntime.refresh();
    return { adv, c, g, ad, videoId };
  }

  async function feedAds(user: TestUser, pages = 2) {
    const out: FeedItem[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < pages; i++) {
      const p = await user.client.call('forYou', { query: { limit: 10, cursor } });
      out.push(...p.items.filter((x) => x.sponsored));
      cursor = p.nextCursor ?? undefined;
    }
    return out;
  }

  test('an approved, funded ad reaches a targeted viewer labelled Sponsored; views, clicks and spend are recorded and billed', async () => {
    const { adv, ad, videoId } = await liveAd();
    const reserved = await brand.client.call('adBalance', { params: { id: adv.id } });
    assert.ok(reserved.reservedCents > 0 && reserved.reservedCents <= 5_000, `a lease reserves at most the budget (${reserved.reservedCents})`);

    const ads = await feedAds(viewer);
    assert.equal(ads.length, 1, 'a video is never shown twice in one feed session, ads included');
    ads.push(...(await feedAds(viewer)));
    assert.equal(ads.length, 2, 'a new session shows it again');
    const item = ads[0]!;
    assert.equal(item.video.id, videoId);
    assert.equal(item.sponsored!.label, 'Sponsored');
    assert.equal(item.sponsored!.adId, ad.id);
    assert.match(item.sponsored!.cta!.url, /\/r\/ad\/[0-9a-f-]{36}$/);
    assert.match(item.why.join(' '), /aged 25-34/);
    // Frequency cap 2 a day: a third session brings no more of this ad.
    assert.equal((await feedAds(viewer)).length, 0);

    // A teenager is outside the targeting: no ad.
    const teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 15}-01-01` });
    assert.equal((await feedAds(teen)).length, 0);

    const imp = item.sponsored!.impressionId;
    // Events for someone else's impression are refused.
    assert.deepEqual(await teen.client.call('adTrack', { body: { events: [{ impressionId: imp, type: 'viewable' }] } }), { accepted: 0, rejected: 1 });
    offset += 7_000;
    const r = await viewer.client.call('adTrack', {
      body: {
        events: [
          { impressionId: imp, type: 'viewable' },
          { impressionId: imp, type: 'view2s', watchMs: 2100 },
          { impressionId: imp, type: 'view6s', watchMs: 6200 },
          { impressionId: imp, type: 'q25' },
        ],
      },
    });
    assert.deepEqual(r, { accepted: 4, rejected: 0 });
    const click = await fetch(item.sponsored!.cta!.url.replace(t.ctx.config.publicUrl, t.baseUrl), { redirect: 'manual', headers: { cookie: viewer.cookie } });
    assert.equal(click.status, 302);
    assert.equal(click.headers.get('location'), `https://catfood.example/shop?flick_click=${imp}`);
    assert.equal((await fetch(`${t.baseUrl}/r/ad/${crypto.randomUUID()}`, { redirect: 'manual' })).status, 404);

    // The second impression: a view6s reported at once is impossible → invalid, and its charge given back.
    const bad = await viewer.client.call('adTrack', { body: { events: [{ impressionId: ads[1]!.sponsored!.impressionId, type: 'view6s', watchMs: 6000 }] } });
    assert.equal(bad.accepted, 1);
    await t.ctx.adsRuntime.flush();
    const rows = await t.ctx.dbh.db.selectFrom('ad_impressions').selectAll().where('ad_id', '=', ad.id).orderBy('served_at').execute();
    assert.equal(rows.length, 2);
    assert.ok(rows[0]!.view6s_at && rows[0]!.clicked_at && rows[0]!.q25_at && rows[0]!.watch_ms === 6200);
    assert.equal(rows[0]!.invalid, null);
    assert.ok(Number(rows[0]!.charged_micros) > 0 && Number(rows[0]!.charged_micros) <= 20_000, 'CPM: at most bid/1000 per impression');
    assert.equal(rows[1]!.invalid, 'impossible_sequence');
    assert.equal(Number(rows[1]!.charged_micros), 0, 'invalid traffic is not billed');

    // Conversions: the pixel with the click id attributes to the click (1-day window), once per event id.
    const px = `${t.baseUrl}/api/ads/pixel.gif?a=${adv.id}&e=purchase&id=order-1&v=2599&click=${imp}`;
    const p1 = await fetch(px);
    assert.equal(p1.headers.get('content-type'), 'image/gif');
    await fetch(px);
    const conv = await t.ctx.dbh.db.selectFrom('ad_conversions').selectAll().where('advertiser_id', '=', adv.id).execute();
    assert.equal(conv.length, 1, 'deduplicated by event id');
    assert.equal(conv[0]!.attribution, 'click_1d');
    assert.equal(conv[0]!.ad_id, ad.id);
    assert.equal((await fetch(`${t.baseUrl}/api/ads/pixel.gif?a=nope&e=x&id=1`)).status, 400);

    // Server-side conversions API with the advertiser's key.
    const { key } = await brand.client.call('adConversionsKey', { params: { id: adv.id } });
    const api = async (auth: string | null) =>
      fetch(`${t.baseUrl}/api/ads/conversions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({
          events: [
            { eventId: 'order-1', event: 'purchase', valueCents: 2599, clickId: imp },
            { eventId: 'order-2', event: 'signup' },
          ],
        }),
      });
    assert.equal((await api(null)).status, 401);
    assert.equal((await api('Bearer fck_wrong')).status, 401);
    const res = (await (await api(`Bearer ${key}`)).json()) as { results: { eventId: string; duplicate: boolean; attribution: string | null }[] };
    assert.deepEqual(res.results, [
      { eventId: 'order-1', duplicate: true, attribution: 'click_1d' },
      { eventId: 'order-2', duplicate: false, attribution: null },
    ]);

    // Billing: the lease is posted for exactly what the valid impressions cost (whole cents, remainder carried).
    await t.ctx.adsRuntime.stop();
    const charged = rows.reduce((s, x) => s + Number(x.charged_micros), 0);
    const after = await brand.client.call('adBalance', { params: { id: adv.id } });
    const carry = (await t.ctx.dbh.db.selectFrom('advertisers').select('spend_carry_micros').where('id', '=', adv.id).executeTakeFirstOrThrow())
      .spend_carry_micros;
    assert.equal(after.reservedCents, 0, 'nothing stays reserved when the ad server stops');
    assert.equal(after.spentCents * 10_000 + Number(carry), charged);
    assert.equal(after.availableCents, 10_000 - after.spentCents);
    const rec = await t.ctx.ledger.reconcile();
    assert.equal(rec.ok, true, JSON.stringify(rec.violations));
    await t.ctx.adsRuntime.start({ follow: false });
  });

  test('no delivery without funds; bad top-ups and other people’s balances are refused', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Broke brand' } });
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'x', objective: 'reach' } });
    const g = await brand.client.call('createAdGroup', {
      params: { id: c.id },
      body: {
        name: 'All',
        startAt: new Date(Date.now() - 60_000).toISOString(),
        endAt: null,
        budget: { period: 'daily', amountCents: 5_000 },
        pacing: 'fast',
        bidStrategy: 'bid_cap',
        billing: 'CPM',
        bidCents: 90_000,
        targeting: {},
        frequencyCap: null,
        restricted: false,
      },
    });
    const videoId = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'unfunded' });
    const ad = await brand.client.call('createAd', { params: { id: g.id }, body: { name: 'x', videoId, cta: { text: 'Go', url: 'https://a.example' } } });
    await t.ctx.dbh.db.updateTable('ads').set({ review_status: 'approved' }).where('id', '=', ad.id).execute();
    await t.ctx.adsRuntime.refresh();
    const other = await t.newUser();
    const shown = (await feedAds(other)).filter((x) => x.sponsored!.adId === ad.id);
    assert.equal(shown.length, 0, 'an advertiser with no balance is never served');

    const declined = await brand.client.call('adTopUp', {
      params: { id: adv.id },
      body: { id: crypto.randomUUID(), amountCents: 5_000, paymentMethod: SANDBOX_CARDS.decline },
    });
    assert.equal(declined.status, 'failed');
    await rejects(
      brand.client.call('adTopUp', { params: { id: adv.id }, body: { id: crypto.randomUUID(), amountCents: 50, paymentMethod: SANDBOX_CARDS.success } }),
      400,
      /at least/,
    );
    await rejects(
      brand.client.call('adTopUp', { params: { id: adv.id }, body: { id: crypto.randomUUID(), amountCents: -5, paymentMethod: SANDBOX_CARDS.success } }),
      400,
    );
    await rejects(other.client.call('adBalance', { params: { id: adv.id } }), 404);
    await rejects(
      other.client.call('adTopUp', { params: { id: adv.id }, body: { id: crypto.randomUUID(), amountCents: 5_000, paymentMethod: SANDBOX_CARDS.success } }),
      404,
    );
    // The same top-up id twice is one top-up.
    const id = crypto.randomUUID();
    const a = await brand.client.call('adTopUp', { params: { id: adv.id }, body: { id, amountCents: 2_000, paymentMethod: SANDBOX_CARDS.success } });
    const b = await brand.client.call('adTopUp', { params: { id: adv.id }, body: { id, amountCents: 2_000, paymentMethod: SANDBOX_CARDS.success } });
    assert.equal(a.id, b.id);
    await deliver();
    await deliver();
    assert.equal((await brand.client.call('adBalance', { params: { id: adv.id } })).postedCents, 2_000);
  });
  test('a brand buys a sponsored challenge: the fee leaves its balance, the challenge is featured as Sponsored, the report counts entries', async () => {
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Sneaker Co' } });
    const start = Date.now() - 60_000;
    const body = (over: Record<string, unknown> = {}) => ({
      id: crypto.randomUUID(),
      slug: 'jump-challenge',
      hashtag: '#JumpHigh',
      title: 'Jump High',
      description: 'Show your best jump',
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 2 * 86_400_000).toISOString(),
      ...over,
    });
    // 2 days at 500 USD a day: a 1,000 USD fee, more than the balance → 402, and no challenge exists.
    await rejects(brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body() }), 402, /top up/);
    await brand.client.call('adTopUp', {
      params: { id: adv.id },
      body: { id: crypto.randomUUID(), amountCents: 150_000, paymentMethod: SANDBOX_CARDS.success },
    });
    await deliver();
    await rejects(
      brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body({ endsAt: new Date(Date.now() + 40 * 86_400_000).toISOString() }) }),
      400,
      /30 days/,
    );
    await rejects(brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body({ title: '<b>\u0007</b>' }) }), 400, /control/);
    await rejects(
      brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body({ startsAt: new Date(Date.now() - 5 * 86_400_000).toISOString() }) }),
      400,
    );
    const stranger = await t.newUser();
    await rejects(stranger.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body() }), 404);

    const req = body();
    const bought = await brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: req });
    const again = await brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: req });
    assert.equal(again.id, bought.id, 'the same purchase id buys once');
    assert.equal(bought.feeCents, 100_000);
    assert.equal(bought.hashtag, 'jumphigh');
    const bal = await brand.client.call('adBalance', { params: { id: adv.id } });
    assert.equal(bal.availableCents, 50_000, 'charged once');
    await rejects(brand.client.call('buySponsoredChallenge', { params: { id: adv.id }, body: body({ slug: 'jump-two' }) }), 409, /already sponsored/);

    const list = await t.anon.call('challenges', {});
    const c = list.items.find((x) => x.slug === 'jump-challenge');
    assert.ok(c);
    assert.equal(c.sponsor, 'Sneaker Co');
    assert.equal(c.featured, true);
    assert.equal(list.items[0]!.featured, true);

    const a = await t.newUser();
    const b = await t.newUser();
    await insertReadyVideo(t, { userId: a.me.id, at: new Date(), caption: 'my jump #jumphigh', views: 120 });
    await insertReadyVideo(t, { userId: a.me.id, at: new Date(), caption: 'again #JumpHigh', views: 30 });
    await insertReadyVideo(t, { userId: b.me.id, at: new Date(), caption: 'me too #jumphigh', views: 50 });
    await insertReadyVideo(t, { userId: b.me.id, at: new Date(Date.now() - 3 * 86_400_000), caption: 'before it started #jumphigh', views: 999 });
    const rep = await brand.client.call('sponsoredChallengeReport', { params: { id: bought.id } });
    assert.deepEqual([rep.videos, rep.creators, rep.views], [3, 2, 200]);
    assert.equal(rep.top[0]!.views, 120);
    await rejects(stranger.client.call('sponsoredChallengeReport', { params: { id: bought.id } }), 404);
    assert.equal((await t.ctx.ledger.reconcile()).ok, true);
  });
});
