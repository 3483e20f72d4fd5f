import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ApiError, type FeedItem } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { SANDBOX_CARDS } from '../payments/sandbox-provider.ts';
import { createAdServer } from './engine/ad-server.ts';
import type { AdGroupConfig, Viewer } from './engine/types.ts';

const rejects = async (p: Promise<unknown>, status: number, match?: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    if (match) assert.match(err.message, match);
    return true;
  });
};

describe('ads accounts: members, lookalike audiences, invoices, Promote goals', () => {
  let t: TestApp;
  let owner: TestUser;
  const deliver = () => t.ctx.jobs['payments.deliver']({}, undefined as never);

  before(async () => {
    t = await createTestApp();
    owner = await t.newUser();
  });
  after(() => t.close());

  async function fundedAdvertiser(user: TestUser, cents = 10_000) {
    const adv = await user.client.call('createAdvertiser', { body: { name: `Brand ${crypto.randomBytes(2).toString('hex')}` } });
    await user.client.call('adTopUp', { params: { id: adv.id }, body: { id: crypto.randomUUID(), amountCents: cents, paymentMethod: SANDBOX_CARDS.success } });
    await deliver();
    return adv;
  }

  test('members: owners and admins manage (admins never owners), analysts cannot, the last owner stays', async () => {
    const adv = await owner.client.call('createAdvertiser', { body: { name: 'Members Inc' } });
    const admin = await t.newUser();
    const analyst = await t.newUser();
    const other = await t.newUser();
    const teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 15}-01-01` });
    const id = adv.id;
    const added = await owner.client.call('addAdMember', { params: { id }, body: { username: `@${admin.me.username.toUpperCase()}`, role: 'admin' } });
    assert.equal(added.userId, admin.me.id);
    assert.equal(added.role, 'admin');
    await rejects(owner.client.call('addAdMember', { params: { id }, body: { username: admin.me.username, role: 'analyst' } }), 409, /already a member/);
    await rejects(owner.client.call('addAdMember', { params: { id }, body: { username: 'nobody_here_xyz', role: 'analyst' } }), 400, /^username: nobody/);
    await rejects(owner.client.call('addAdMember', { params: { id }, body: { username: teen.me.username, role: 'analyst' } }), 400, /adults/);
    // Admins add analysts and admins, never owners.
    await admin.client.call('addAdMember', { params: { id }, body: { username: analyst.me.username, role: 'analyst' } });
    await rejects(admin.client.call('addAdMember', { params: { id }, body: { username: other.me.username, role: 'owner' } }), 403, /only an owner/);
    await rejects(admin.client.call('updateAdMember', { params: { id, userId: owner.me.id }, body: { role: 'analyst' } }), 403);
    // Analysts read the list but manage nobody; outsiders see nothing.
    assert.equal((await analyst.client.call('adMembers', { params: { id } })).items.length, 3);
    await rejects(analyst.client.call('addAdMember', { params: { id }, body: { username: other.me.username, role: 'analyst' } }), 403, /analysts/);
    await rejects(analyst.client.call('removeAdMember', { params: { id, userId: admin.me.id } }), 403);
    await rejects(other.client.call('adMembers', { params: { id } }), 404);
    // The last owner can be neither demoted nor removed; after promoting another owner, it can.
    await rejects(owner.client.call('updateAdMember', { params: { id, userId: owner.me.id }, body: { role: 'admin' } }), 409, /at least one owner/);
    await rejects(owner.client.call('removeAdMember', { params: { id, userId: owner.me.id } }), 409);
    assert.equal((await owner.client.call('updateAdMember', { params: { id, userId: admin.me.id }, body: { role: 'owner' } })).role, 'owner');
    assert.equal((await admin.client.call('updateAdMember', { params: { id, userId: owner.me.id }, body: { role: 'admin' } })).role, 'admin');
    // An analyst may leave; a removed member loses access.
    assert.deepEqual(await analyst.client.call('removeAdMember', { params: { id, userId: analyst.me.id } }), { removed: true });
    await rejects(analyst.client.call('campaigns', { params: { id } }), 404);
    const list = await admin.client.call('adMembers', { params: { id } });
    assert.deepEqual(
      list.items.map((m) => [m.username, m.role]),
      [
        [admin.me.username, 'owner'],
        [owner.me.username, 'admin'],
      ],
    );
  });

  test('lookalike: seeded by people who engaged with the brand cat videos, it holds other cat lovers, not dog lovers; delivery respects it', async () => {
    const db = t.ctx.dbh.db;
    const brand = await t.newUser();
    const creator = await t.newUser();
    const adv = await fundedAdvertiser(brand);
    const brandCats: string[] = [];
    const cats: string[] = [];
    const dogs: string[] = [];
    for (let i = 0; i < 4; i++)
      brandCats.push(await insertReadyVideo(t, { userId: brand.me.id, at: new Date(Date.now() - i * 1000), caption: `brand cat ${i} #cats` }));
    for (let i = 0; i < 10; i++)
      cats.push(await insertReadyVideo(t, { userId: creator.me.id, at: new Date(Date.now() - i * 1000), caption: `cat ${i} #cats` }));
    for (let i = 0; i < 10; i++)
      dogs.push(await insertReadyVideo(t, { userId: creator.me.id, at: new Date(Date.now() - i * 1000), caption: `dog ${i} #dogs` }));
    await t.ctx.recsys.reloadCatalog();
    const like = async (u: TestUser, ids: string[]) =>
      db
        .insertInto('events')
        .values(ids.map((v) => ({ id: crypto.randomUUID(), user_id: u.me.id, video_id: v, type: 'like' })))
        .execute();
    const seed: TestUser[] = [];
    const catLovers: TestUser[] = [];
    const dogLovers: TestUser[] = [];
    for (let i = 0; i < 5; i++) {
      const u = await t.newUser();
      await like(u, [...brandCats, ...cats.slice(0, 6)]);
      seed.push(u);
    }
    for (let i = 0; i < 5; i++) {
      const u = await t.newUser();
      await like(u, cats.slice(i % 4, (i % 4) + 7));
      catLovers.push(u);
    }
    for (let i = 0; i < 5; i++) {
      const u = await t.newUser();
      await like(u, dogs.slice(i % 4, (i % 4) + 7));
      dogLovers.push(u);
    }
    await t.ctx.recsys.sync();
    t.ctx.recsys.engine.fitBatch(12);

    await rejects(
      brand.client.call('createLookalike', {
        params: { id: adv.id },
        body: { name: 'x', seed: `engaged:${crypto.randomUUID()}`, minSimilarity: 0.5, maxSize: 100 },
      }),
      400,
      /^seed:/,
    );
    const look = await brand.client.call('createLookalike', {
      params: { id: adv.id },
      body: { name: 'Cat people', seed: `engaged:${adv.id}`, minSimilarity: 0.5, maxSize: 1000 },
    });
    assert.equal(look.status, 'ready');
    assert.equal(look.seedSize, 5);
    const members = new Set((await db.selectFrom('ad_audience_members').select('user_id').where('audience_id', '=', look.id!).execute()).map((m) => m.user_id));
    for (const u of catLovers) assert.ok(members.has(u.me.id), 'every other cat lover is in the lookalike');
    for (const u of dogLovers) assert.ok(!members.has(u.me.id), 'no dog lover is');
    for (const u of seed) assert.ok(!members.has(u.me.id), 'the seed itself is left out');
    assert.equal(look.size, members.size);
    const listed = await brand.client.call('adAudiences', { params: { id: adv.id } });
    assert.equal(listed.items[0]!.key, `engaged:${adv.id}`);
    assert.equal(listed.items[0]!.size, 5);
    assert.equal(listed.items.find((a) => a.id === look.id)!.size, members.size);

    // Targeting: only this advertiser's audiences; then delivery reaches lookalike members only.
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Cats', objective: 'reach' } });
    const group = (audiences: string[]) =>
      brand.client.call('createAdGroup', {
        params: { id: c.id },
        body: {
          name: 'Lookalike',
          startAt: new Date(Date.now() - 60_000).toISOString(),
          endAt: null,
          budget: { period: 'daily', amountCents: 5_000 },
          pacing: 'fast',
          bidStrategy: 'bid_cap',
          billing: 'CPM',
          bidCents: 2_000,
          targeting: { audiences },
          frequencyCap: null,
          restricted: false,
        },
      });
    await rejects(group([`lookalike:${crypto.randomUUID()}`]), 400, /^targeting\.audiences/);
    const g = await group([look.key]);
    // A video the recommender does not know yet, so no feed shows it organically (a session never repeats a video).
    const adVideo = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'brand cat ad #cats' });
    const ad = await brand.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'Spot', videoId: adVideo, cta: { text: 'Shop now', url: 'https://cats.example' } },
    });
    await db.updateTable('ads').set({ review_status: 'approved' }).where('id', '=', ad.id).execute();
    await t.ctx.adsRuntime.refresh();
    const sponsored = async (u: TestUser) => {
      const out: FeedItem[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 2; i++) {
        const p = await u.client.call('forYou', { query: { limit: 10, cursor } });
        out.push(...p.items.filter((x) => x.sponsored?.adId === ad.id));
        cursor = p.nextCursor ?? undefined;
      }
      return out;
    };
    const got = await sponsored(catLovers[0]!);
    assert.ok(got.length >= 1, 'a lookalike member gets the ad');
    assert.match(got[0]!.why.join(' '), /interests like those of people who engaged/);
    for (const u of dogLovers) assert.equal((await sponsored(u)).length, 0, 'no ad to non-members');
    await t.ctx.adsRuntime.flush();
    const viewers = (await db.selectFrom('ad_impressions').select('viewer_key').where('ad_id', '=', ad.id).execute()).map((r) => r.viewer_key);
    assert.ok(
      viewers.every((v) => members.has(v)),
      'every impression went to a member',
    );

    // The hourly job recomputes (a dog lover who turns to cats joins).
    await like(dogLovers[0]!, [...cats, ...cats.slice(0, 3)]);
    await t.ctx.jobs['ads.lookalikes']({}, undefined as never);
    const again = await db.selectFrom('ad_audiences').select(['size', 'computed_at']).where('id', '=', look.id!).executeTakeFirstOrThrow();
    assert.ok(again.computed_at! >= new Date(look.computedAt!));
  });

  test('invoice: totals and lines equal the ledger movements of the balance; members only; CSV', async () => {
    const db = t.ctx.dbh.db;
    const adv = await fundedAdvertiser(owner, 100_000);
    const c = await owner.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Spend', objective: 'reach' } });
    const g = await owner.client.call('createAdGroup', {
      params: { id: c.id },
      body: {
        name: 'All',
        startAt: new Date(Date.now() - 60_000).toISOString(),
        endAt: null,
        budget: { period: 'daily', amountCents: 5_000 },
        pacing: 'fast',
        bidStrategy: 'bid_cap',
        billing: 'CPM',
        bidCents: 50_000,
        targeting: {},
        frequencyCap: null,
        restricted: false,
      },
    });
    const videoId = await insertReadyVideo(t, { userId: owner.me.id, at: new Date(), caption: 'invoice ad' });
    const ad = await owner.client.call('createAd', {
      params: { id: g.id },
      body: { name: 'Spot', videoId, cta: { text: 'Shop now', url: 'https://a.example' } },
    });
    await db.updateTable('ads').set({ review_status: 'approved' }).where('id', '=', ad.id).execute();
    await t.ctx.adsRuntime.refresh();
    // Alone in its auctions it clears at the reserve (0.1 ¢ an impression): enough people for whole cents on the ledger.
    for (let i = 0; i < 25; i++) {
      const u = await t.newUser();
      const first = await u.client.call('forYou', { query: { limit: 10 } });
      await u.client.call('forYou', { query: { limit: 10, cursor: first.nextCursor ?? undefined } });
    }
    // Post the lease (what was spent) by pausing delivery.
    await owner.client.call('updateAdGroup', { params: { id: g.id }, body: { status: 'paused' } });
    await t.ctx.adsRuntime.settle();
    const challenge = await owner.client.call('buySponsoredChallenge', {
      params: { id: adv.id },
      body: {
        id: crypto.randomUUID(),
        slug: `inv-${crypto.randomBytes(3).toString('hex')}`,
        hashtag: `inv${crypto.randomBytes(3).toString('hex')}`,
        title: 'Invoice challenge',
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    const month = new Date().toISOString().slice(0, 7);
    const inv = await owner.client.call('adInvoice', { params: { id: adv.id, month } });
    // The ledger, directly: every posted movement of the advertiser's balance account.
    const acc = await t.ctx.ledger.findAccount('USD', 'advertiser_balance', adv.id);
    const rows = await db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where((eb) => eb.or([eb('debit_account_id', '=', acc!.id), eb('credit_account_id', '=', acc!.id)]))
      .where('state', '=', 'posted')
      .where('kind', 'in', ['single', 'post'])
      .execute();
    const signed = (r: (typeof rows)[number]) => (r.credit_account_id === acc!.id ? Number(r.amount) : -Number(r.amount));
    const by = (code: string) => rows.filter((r) => r.code === code).reduce((a, r) => a + signed(r), 0);
    assert.equal(inv.openingBalanceCents, 0);
    assert.equal(inv.creditsCents, 100_000);
    assert.equal(inv.creditsCents, by('ads_topup'));
    assert.ok(inv.spendCents > 0, 'delivery was charged');
    assert.equal(-inv.spendCents, by('ads_spend'));
    assert.equal(inv.feesCents, challenge.feeCents);
    assert.equal(-inv.feesCents, by('ads_sponsored_challenge'));
    assert.equal(inv.totalDueCents, inv.spendCents + inv.feesCents);
    assert.equal(inv.closingBalanceCents, acc!.creditsPosted - acc!.debitsPosted, 'closing = the posted balance on the ledger');
    assert.equal(
      inv.lines.reduce((a, l) => a + l.amountCents, 0),
      rows.reduce((a, r) => a + signed(r), 0),
      'the lines add up to the movements',
    );
    const spendLines = inv.lines.filter((l) => l.kind === 'spend');
    assert.deepEqual(
      spendLines.map((l) => [l.campaignId, l.description]),
      [[c.id, 'Ad delivery: Spend']],
    );
    assert.match(inv.number, new RegExp(`^FLK-${month.replace('-', '')}-\\d{6}$`));
    assert.equal((await owner.client.call('adInvoice', { params: { id: adv.id, month } })).number, inv.number, 'the number is stable');
    assert.equal(inv.final, false, 'the running month is a statement to date');
    const list = await owner.client.call('adInvoices', { params: { id: adv.id } });
    assert.deepEqual(list.items, [{ number: inv.number, month, final: false }]);

    const outsider = await t.newUser();
    await rejects(outsider.client.call('adInvoice', { params: { id: adv.id, month } }), 404);
    await rejects(owner.client.call('adInvoice', { params: { id: adv.id, month: '2999-01' } }), 400, /^month:/);
    await rejects(owner.client.call('adInvoice', { params: { id: adv.id, month: '2026-13' } }), 400);
    const csv = await fetch(`${t.baseUrl}/api/ads/advertisers/${adv.id}/invoices/${month}/invoice.csv`, { headers: { cookie: owner.cookie } });
    assert.equal(csv.status, 200);
    const text = await csv.text();
    assert.match(text, new RegExp(`invoice,${inv.number}`));
    assert.match(text, new RegExp(`total_due_usd,${(inv.totalDueCents / 100).toFixed(2)}`));
    assert.equal(
      (await fetch(`${t.baseUrl}/api/ads/advertisers/${adv.id}/invoices/${month}/invoice.csv`, { headers: { cookie: outsider.cookie } })).status,
      404,
    );
  });

  test('Promote goals: a follows promotion bids on follows (oCPM), and a reported follow is attributed to its impression', async () => {
    const db = t.ctx.dbh.db;
    const creator = await t.newUser();
    const videoId = await insertReadyVideo(t, { userId: creator.me.id, at: new Date(), caption: 'follow me #promo' });
    await creator.client.call('buyCoins', { body: { id: crypto.randomUUID(), packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
    await deliver();
    const p = await creator.client.call('promote', {
      body: { id: crypto.randomUUID(), videoId, goal: 'follows', days: 1, payment: { method: 'coins', coins: 1_000 } },
    });
    const g = await db.selectFrom('ad_groups').selectAll().where('id', '=', p.adGroupId).executeTakeFirstOrThrow();
    assert.equal(g.billing, 'OCPM');
    assert.equal(g.optimize_for, 'follow');
    // Smooth pacing starts throttled (it enters 1 auction in 5): fast pacing so the one viewer surely gets it.
    await db.updateTable('ad_groups').set({ pacing: 'fast' }).where('id', '=', p.adGroupId).execute();
    await t.ctx.adsRuntime.refresh();
    const viewer = await t.newUser();
    let item: FeedItem | undefined;
    for (let s = 0; s < 3 && !item; s++) {
      let cursor: string | undefined;
      for (let i = 0; i < 2 && !item; i++) {
        const page = await viewer.client.call('forYou', { query: { limit: 10, cursor } });
        item = page.items.find((x) => x.video.id === videoId && x.sponsored);
        cursor = page.nextCursor ?? undefined;
      }
    }
    assert.ok(item, 'the promotion is delivered');
    const imp = item.sponsored!.impressionId;
    const before = t.ctx.adsRuntime.server.report(p.adGroupId)!.outcomes.follows ?? 0;
    // A follow reported before it happened is not counted; after following, it is (once).
    await new Promise((r) => setTimeout(r, 450));
    await viewer.client.call('adTrack', { body: { events: [{ impressionId: imp, type: 'follow' }] } });
    assert.equal(t.ctx.adsRuntime.server.report(p.adGroupId)!.outcomes.follows ?? 0, before);
    await viewer.client.call('follow', { params: { username: creator.me.username }, query: {} });
    await viewer.client.call('adTrack', {
      body: {
        events: [
          { impressionId: imp, type: 'follow' },
          { impressionId: imp, type: 'follow' },
        ],
      },
    });
    assert.equal(t.ctx.adsRuntime.server.report(p.adGroupId)!.outcomes.follows, before + 1);
    await t.ctx.adsRuntime.flush();
    const row = await db.selectFrom('ad_impressions').select('followed_at').where('id', '=', imp).executeTakeFirstOrThrow();
    assert.ok(row.followed_at);
  });

  test('engine: an oCPM group optimising follows is ranked and charged by its predicted follow rate', () => {
    const s = createAdServer();
    const base = (id: string): AdGroupConfig => ({
      id,
      campaignId: `c${id}`,
      advertiserId: `a${id}`,
      billing: 'OCPM',
      optimizeFor: 'follow',
      strategy: 'bid_cap',
      bidMicros: 800_000,
      budgetMicros: 1e12,
      budgetPeriod: 'daily',
      pacing: 'fast',
      startAt: 0,
      endAt: null,
      targeting: {},
      frequencyCap: null,
      restricted: false,
      ads: [{ id: `ad${id}`, videoId: `v${id}` }],
    });
    const now = 86_400_000 * 10;
    s.upsert(base('1'), now);
    s.upsert(base('2'), now);
    s.setBalance('a1', 1e12);
    s.setBalance('a2', 1e12);
    const v: Viewer = { id: 'u', ageBand: '25-34', isMinor: false, interests: new Set(), engagedHashtags: new Set(), audiences: new Set() };
    // Group 2 earns follows: its predicted follow rate rises above the prior and it wins.
    s.restore('1', { spentMicros: 0, spentTotalMicros: 0, outcomes: { impressions: 500, clicks: 0, views6s: 150, conversions: 0, follows: 0 }, results: 0 });
    s.restore('2', { spentMicros: 0, spentTotalMicros: 0, outcomes: { impressions: 500, clicks: 0, views6s: 150, conversions: 0, follows: 25 }, results: 25 });
    const d = s.decide(v, now + 2_000, () => 0)!;
    assert.equal(d.adGroupId, '2');
    // Value per impression = bid × P(follow): (25 + 0.005·500)/(500 + 500) = 2.75 % → 22,000 µ$; the loser's is 0.25 % → 2,000 µ$.
    assert.equal(d.winnerValueMicros, Math.round(800_000 * (27.5 / 1000)));
    assert.ok(d.priceMicros < d.winnerValueMicros && d.priceMicros >= 2_000, `second price per impression (${d.priceMicros})`);
    // A follow outcome moves the loser's prediction (learned online).
    s.outcome(null, '1', 'follow');
    assert.equal(s.report('1')!.outcomes.follows, 1);
  });
});
