import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Insertable } from 'kysely';
import { ApiError, type AdGroupBody } from '@flick/contracts';
import type { AdImpressionsTable } from '../../platform/db/schema.ts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { adReportCsv, createAdsReports, INVALID_NOTE } from './ads.reports.ts';
import { createAdServer } from './engine/ad-server.ts';

const rejects = async (p: Promise<unknown>, status: number, match?: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, status, err.message);
    if (match) assert.match(err.message, match);
    return true;
  });
};

const at = (iso: string) => new Date(iso);
const RANGE = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' };

describe('ad reports: figures from served impressions and conversions', () => {
  let t: TestApp;
  let brand: TestUser;
  let stranger: TestUser;
  let analyst: TestUser;
  let advertiserId: string;
  let campaignId: string;
  let groupA: string;
  let groupB: string;
  let adA: string;
  let adB: string;
  const firstU1 = crypto.randomUUID();
  const badImpression = crypto.randomUUID();

  const group = (name: string, over: Partial<AdGroupBody> = {}) =>
    ({
      name,
      startAt: '2026-11-19T00:00:00.000Z',
      endAt: null,
      budget: { period: 'daily', amountCents: 5000 },
      billing: 'CPM',
      bidCents: 800,
      targeting: {},
      frequencyCap: null,
      ...over,
    }) as AdGroupBody;

  before(async () => {
    t = await createTestApp();
    brand = await t.newUser();
    stranger = await t.newUser();
    analyst = await t.newUser();
    const adv = await brand.client.call('createAdvertiser', { body: { name: 'Reports Inc' } });
    advertiserId = adv.id;
    await t.ctx.dbh.db.insertInto('advertiser_members').values({ advertiser_id: adv.id, user_id: analyst.me.id, role: 'analyst' }).execute();
    const c = await brand.client.call('createCampaign', { params: { id: adv.id }, body: { name: 'Launch', objective: 'video_views' } });
    campaignId = c.id;
    groupA = (await brand.client.call('createAdGroup', { params: { id: c.id }, body: group('A: CPM') })).id;
    groupB = (await brand.client.call('createAdGroup', { params: { id: c.id }, body: group('B: CPC', { billing: 'CPC', bidCents: 50 }) })).id;
    const videoId = await insertReadyVideo(t, { userId: brand.me.id, at: new Date(), caption: 'ad' });
    const mk = async (g: string, name: string) =>
      (await brand.client.call('createAd', { params: { id: g }, body: { name, videoId, cta: { text: 'Shop', url: 'https://shop.example/' } } })).id;
    adA = await mk(groupA, 'A1');
    adB = await mk(groupB, 'B1');

    const imp = (over: Partial<Insertable<AdImpressionsTable>> & { served_at: Date; viewer_key: string }): Insertable<AdImpressionsTable> => ({
      id: crypto.randomUUID(),
      ad_id: adA,
      ad_group_id: groupA,
      campaign_id: campaignId,
      advertiser_id: advertiserId,
      billing: 'CPM' as const,
      price_micros: 5000,
      charged_micros: 5000,
      ...over,
    });
    const d1 = at('2026-11-20T10:15:00Z');
    const d2 = at('2026-11-21T09:30:00Z');
    const later = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
    await t.ctx.dbh.db
      .insertInto('ad_impressions')
      .values([
        // Day 1, ad group A: u1 watches 8 s and clicks, u2 watches 2.5 s, u1 again scrolls past.
        imp({
          id: firstU1,
          served_at: d1,
          viewer_key: 'u1',
          viewable_at: later(d1, 1),
          view2s_at: later(d1, 2),
          view6s_at: later(d1, 6),
          q25_at: later(d1, 3),
          q50_at: later(d1, 5),
          clicked_at: later(d1, 9),
          watch_ms: 8000,
        }),
        imp({ served_at: later(d1, 60), viewer_key: 'u2', viewable_at: later(d1, 61), view2s_at: later(d1, 62), watch_ms: 2500 }),
        imp({ served_at: later(d1, 600), viewer_key: 'u1', watch_ms: 0 }),
        // Day 1, ad group B (CPC, not clicked: nothing charged).
        imp({ served_at: later(d1, 120), viewer_key: 'u2', ad_id: adB, ad_group_id: groupB, billing: 'CPC', price_micros: 400_000, charged_micros: 0 }),
        // Day 2, A: u3 watches it all and clicks.
        imp({
          served_at: d2,
          viewer_key: 'u3',
          viewable_at: later(d2, 1),
          view2s_at: later(d2, 2),
          view6s_at: later(d2, 6),
          q25_at: later(d2, 3),
          q50_at: later(d2, 5),
          q75_at: later(d2, 8),
          q100_at: later(d2, 11),
          clicked_at: later(d2, 12),
          watch_ms: 12_000,
        }),
        // Invalid traffic: a click farm on one network, and a click before the ad was viewable.
        imp({ id: badImpression, served_at: later(d2, 30), viewer_key: 'bot', invalid: 'rate_per_ip', clicked_at: later(d2, 31), charged_micros: 0 }),
        imp({ served_at: later(d2, 40), viewer_key: 'bot', invalid: 'rate_per_ip', clicked_at: later(d2, 41), charged_micros: 0 }),
        imp({ served_at: later(d2, 50), viewer_key: 'u9', invalid: 'impossible_sequence', view6s_at: later(d2, 50), charged_micros: 0 }),
        // Outside the range.
        imp({ served_at: at('2026-11-25T00:00:00Z'), viewer_key: 'u1' }),
      ])
      .execute();
    const conv = (event_id: string, over: Record<string, unknown>) => ({
      advertiser_id: advertiserId,
      event_id,
      source: 'api' as const,
      event: 'purchase',
      value_cents: 1999,
      occurred_at: later(d1, 3600),
      ad_id: adA,
      ad_group_id: groupA,
      campaign_id: campaignId,
      ...over,
    });
    await t.ctx.dbh.db
      .insertInto('ad_conversions')
      .values([
        conv('order-1', { impression_id: firstU1, attribution: 'click_1d', viewer_key: 'u1' }),
        // Credited to an invalid impression: not counted.
        conv('order-2', { impression_id: badImpression, attribution: 'click_1d', viewer_key: 'bot' }),
        // Not attributed to any ad: not counted.
        conv('order-3', { impression_id: null, attribution: null }),
      ])
      .execute();
  });
  after(() => t.close());

  test('campaign totals, daily series and the ad-group breakdown come from the valid rows only', async () => {
    const r = await brand.client.call('adReport', { params: { level: 'campaign', id: campaignId }, query: { ...RANGE, bucket: 'day' } });
    assert.equal(r.name, 'Launch');
    assert.equal(r.advertiserId, advertiserId);
    const tot = r.totals;
    assert.equal(tot.impressions, 5);
    assert.equal(tot.reach, 3, 'u1, u2, u3');
    assert.equal(tot.frequency, 1.667);
    assert.deepEqual([tot.viewable, tot.views2s, tot.views6s, tot.q25, tot.q50, tot.q75, tot.q100], [3, 3, 2, 2, 2, 1, 1]);
    assert.equal(tot.clicks, 2);
    assert.equal(tot.ctr, 0.4);
    assert.equal(tot.spendMicros, 20_000);
    assert.equal(tot.cpmMicros, 4_000_000, '$4 per thousand');
    assert.equal(tot.cpcMicros, 10_000);
    assert.equal(tot.cpvMicros, 10_000);
    assert.equal(tot.conversions, 1);
    assert.equal(tot.conversionValueCents, 1999);
    assert.equal(tot.cpaMicros, 20_000);
    assert.equal(tot.avgWatchMs, (8000 + 2500 + 0 + 0 + 12_000) / 5);

    assert.deepEqual(
      r.series.map((b) => [b.start, b.impressions, b.reach, b.spendMicros, b.clicks, b.conversions]),
      [
        ['2026-11-20T00:00:00.000Z', 4, 2, 15_000, 1, 1],
        ['2026-11-21T00:00:00.000Z', 1, 1, 5_000, 1, 0],
        ['2026-11-22T00:00:00.000Z', 0, 0, 0, 0, 0],
      ],
    );
    assert.equal(r.series[2]!.ctr, null, 'nothing to divide by');

    assert.deepEqual(
      r.breakdown.map((b) => [b.level, b.id, b.impressions, b.reach, b.spendMicros, b.clicks, b.conversions]),
      [
        ['ad-group', groupA, 4, 3, 20_000, 2, 1],
        ['ad-group', groupB, 1, 1, 0, 0, 0],
      ],
    );
    assert.equal(r.breakdown[0]!.insight, null, 'no ad server wired: no auction insight');

    assert.equal(r.invalid.impressions, 3);
    assert.equal(r.invalid.clicks, 2);
    assert.deepEqual(r.invalid.rules, [
      { rule: 'rate_per_ip', impressions: 2, clicks: 2, views6s: 0 },
      { rule: 'impossible_sequence', impressions: 1, clicks: 0, views6s: 1 },
    ]);
    assert.equal(r.invalid.note, INVALID_NOTE);
    assert.match(r.invalid.note, /never billed/);
  });

  test('ad group and ad levels, hourly buckets', async () => {
    const g = await brand.client.call('adReport', {
      params: { level: 'ad-group', id: groupA },
      query: { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z', bucket: 'hour' },
    });
    assert.equal(g.series.length, 24);
    assert.equal(g.series[10]!.start, '2026-11-20T10:00:00.000Z');
    assert.equal(g.series[10]!.impressions, 3);
    assert.equal(
      g.series.reduce((n, b) => n + b.impressions, 0),
      3,
    );
    assert.deepEqual(
      g.breakdown.map((b) => [b.level, b.id, b.impressions]),
      [['ad', adA, 3]],
    );
    assert.equal(g.invalid.impressions, 0);

    const a = await analyst.client.call('adReport', { params: { level: 'ad', id: adB }, query: RANGE });
    assert.equal(a.totals.impressions, 1);
    assert.equal(a.totals.spendMicros, 0);
    assert.equal(a.totals.cpcMicros, null);
    assert.deepEqual(a.breakdown, []);
  });

  test('only members of the advertiser read reports; bad ranges are 400', async () => {
    await rejects(stranger.client.call('adReport', { params: { level: 'campaign', id: campaignId }, query: RANGE }), 404);
    await rejects(stranger.client.call('adReport', { params: { level: 'ad-group', id: groupA }, query: RANGE }), 404);
    await rejects(t.anon.call('adReport', { params: { level: 'ad', id: adA }, query: RANGE }), 401);
    await rejects(brand.client.call('adReport', { params: { level: 'campaign', id: crypto.randomUUID() }, query: RANGE }), 404);
    await rejects(brand.client.call('adReport', { params: { level: 'campaign', id: campaignId }, query: { from: RANGE.to, to: RANGE.from } }), 400, /before/);
    await rejects(
      brand.client.call('adReport', { params: { level: 'campaign', id: campaignId }, query: { from: '2026-09-01T00:00:00Z', to: RANGE.to, bucket: 'hour' } }),
      400,
      /31 days/,
    );
    await rejects(brand.client.call('adReport', { params: { level: 'campaign', id: campaignId }, query: { from: 'yesterday' } }), 400, /from/);
    const res = await fetch(`${t.baseUrl}/api/ads/reports/advertiser/${campaignId}`, { headers: { cookie: brand.cookie } });
    assert.equal(res.status, 400);
  });

  test('CSV export: series with a total row, breakdown, invalid traffic per rule; members only', async () => {
    const get = (path: string, cookie = brand.cookie) => fetch(`${t.baseUrl}${path}`, { headers: { cookie } });
    const q = `from=${RANGE.from}&to=${RANGE.to}`;
    const res = await get(`/api/ads/reports/campaign/${campaignId}/export.csv?${q}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="flick-ads-campaign-series-2026-11-20-2026-11-23\.csv"/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines.length, 1 + 3 + 1);
    assert.match(lines[0]!, /^bucket_start_utc,impressions,reach,frequency,/);
    assert.match(lines[1]!, /^2026-11-20T00:00:00.000Z,4,2,2,2,2,1,1,1,0,0,1,25.00,0.0150,3.7500,0.0150,0.0150,/);
    assert.match(lines[4]!, /^total .*,5,3,1.667,/);

    const bd = (await (await get(`/api/ads/reports/campaign/${campaignId}/export.csv?${q}&kind=breakdown`)).text()).trim().split('\r\n');
    assert.equal(bd.length, 1 + 2 + 1);
    assert.ok(bd[1]!.startsWith(`ad-group,${groupA},A: CPM,active,4,3,`));

    const inv = (await (await get(`/api/ads/reports/campaign/${campaignId}/export.csv?${q}&kind=invalid`)).text()).trim().split('\r\n');
    assert.deepEqual(inv, ['rule,impressions,clicks,views_6s,billed', 'rate_per_ip,2,2,0,no', 'impossible_sequence,1,0,1,no']);

    assert.equal((await get(`/api/ads/reports/campaign/${campaignId}/export.csv?${q}`, stranger.cookie)).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/api/ads/reports/campaign/${campaignId}/export.csv`)).status, 401);
    assert.equal((await get(`/api/ads/reports/campaign/${campaignId}/export.csv?${q}&kind=pdf`)).status, 400);
  });

  test('auction insight per ad group comes from the ad server', async () => {
    // A real engine: A bids $8 CPM, B $0.50 per click; A wins the auctions, B learns what it would have taken.
    const engine = createAdServer();
    const T0 = Date.parse('2026-11-20T12:00:00Z');
    const cfg = (id: string, billing: 'CPM' | 'CPC', bidMicros: number) => ({
      id,
      campaignId,
      advertiserId,
      billing,
      strategy: 'bid_cap' as const,
      bidMicros,
      budgetMicros: 50_000_000,
      budgetPeriod: 'daily' as const,
      pacing: 'fast' as const,
      startAt: T0 - 3_600_000,
      endAt: null,
      targeting: {},
      frequencyCap: null,
      restricted: false,
      ads: [{ id: `ad-${id}`, videoId: 'v' }],
    });
    engine.upsert(cfg(groupA, 'CPM', 8_000_000), T0);
    engine.upsert(cfg(groupB, 'CPC', 500_000), T0);
    engine.setBalance(advertiserId, 1_000_000_000);
    for (let i = 0; i < 20; i++)
      engine.decide(
        { id: `v${i}`, ageBand: '25-34', isMinor: false, interests: new Set(), engagedHashtags: new Set(), audiences: new Set() },
        T0 + i * 1000,
        () => 0.5,
      );
    const reports = createAdsReports({ db: t.ctx.dbh.db, insight: (id) => engine.report(id) });
    const user = { id: brand.me.id, username: brand.me.username, roles: brand.me.roles, isMinor: false };
    const g = await reports.report(user, 'ad-group', groupA, { ...RANGE, bucket: 'day' });
    const want = engine.report(groupA)!;
    assert.ok(g.insight);
    assert.equal(g.insight.billing, 'CPM');
    assert.equal(g.insight.bidMicros, 8_000_000);
    assert.ok(want.winRate > 0);
    assert.equal(g.insight.winRate, want.winRate);
    assert.equal(g.insight.avgClearingMicros, Math.round(want.avgClearingMicros! * 1000), 'a CPM price per 1,000 impressions, like the bid');
    assert.ok(g.insight.avgClearingMicros <= g.insight.bidMicros, 'never above the bid');
    const c = await reports.report(user, 'campaign', campaignId, { ...RANGE, bucket: 'day' });
    const b = c.breakdown.find((x) => x.id === groupB)!;
    assert.ok(b.insight);
    assert.equal(b.insight.billing, 'CPC');
    assert.equal(b.insight.winRate, engine.report(groupB)!.winRate);
    assert.equal(b.insight.minBidToWinMicros, engine.report(groupB)!.minBidToWinMicros === null ? null : Math.round(engine.report(groupB)!.minBidToWinMicros!));
    assert.match(adReportCsv(c, 'breakdown'), new RegExp(`ad-group,${groupB},B: CPC,active,1,1,.*`));
  });
});
