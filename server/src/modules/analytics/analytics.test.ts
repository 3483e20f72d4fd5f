import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApiError, type InteractionEvent } from '@flick/contracts';
import { createTestApp, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { csvCell } from './analytics.service.ts';

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

const eid = () => crypto.randomUUID().replace(/-/g, '');

describe('csv (pure)', () => {
  test('quotes and defuses spreadsheet formulas', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell(12), '12');
  });
});

describe('creator analytics', () => {
  let t: TestApp;
  let creator: TestUser;
  let teen: TestUser;
  let adult: TestUser;
  let other: TestUser;
  let staff: TestUser;
  let v1: string;
  let v2: string;

  const view = (user: TestUser | undefined, videoId: string, feed: InteractionEvent['feed'], watchMs: number, complete: boolean) => {
    const events: InteractionEvent[] = [
      { id: eid(), type: 'impression', videoId, feed },
      { id: eid(), type: 'play', videoId, feed, durationMs: 10_000 },
      { id: eid(), type: 'progress', videoId, feed, watchMs: Math.min(watchMs, 5000), durationMs: 10_000 },
      ...(complete
        ? [{ id: eid(), type: 'complete' as const, videoId, feed, watchMs, durationMs: 10_000 }]
        : [{ id: eid(), type: 'skip' as const, videoId, feed, watchMs, durationMs: 10_000 }]),
    ];
    return (user?.client ?? t.anon).call('events', { body: { events } });
  };

  before(async () => {
    t = await createTestApp();
    creator = await t.newUser({ username: 'creator_a' });
    teen = await t.newUser({ birthdate: `${new Date().getUTCFullYear() - 16}-01-01` });
    adult = await t.newUser({ birthdate: '1990-01-01' });
    other = await t.newUser({ username: 'other_creator' });
    staff = await t.newUser();
    await t.ctx.dbh.db
      .updateTable('users')
      .set({ roles: ['user', 'moderator'] })
      .where('id', '=', staff.me.id)
      .execute();
    v1 = await insertReadyVideo(t, { userId: creator.me.id, caption: '=cmd|calc first', at: new Date(Date.now() - 3600_000), durationMs: 10_000 });
    v2 = await insertReadyVideo(t, { userId: creator.me.id, caption: 'second', at: new Date(Date.now() - 3600_000), durationMs: 10_000 });
    // The teen says where they are (lower case is accepted); the adult does not.
    assert.equal((await teen.client.call('updateEngagementSettings', { body: { country: 'de' } })).country, 'DE');
    await view(teen, v1, 'for-you', 10_000, true);
    await view(adult, v1, 'search', 5_000, false);
    await view(adult, v1, 'share', 10_000, true); // a second view by the same person
    await view(undefined, v2, 'hashtag', 2_000, false);
    await view(creator, v1, 'profile', 10_000, true); // the creator's own views do not count
    await t.ctx.dbh.db.insertInto('follows').values({ follower_id: adult.me.id, followee_id: creator.me.id }).execute();
    await creator.client.call('shareVideo', { params: { id: v1 }, body: { channel: 'copy' } });
  });
  after(() => t.close());

  test('overall: views, watch time, watch %, completion, sources, audience, followers', async () => {
    const a = await creator.client.call('analytics', { query: { days: 7 } });
    assert.equal(a.totals.views, 4);
    assert.equal(a.totals.watchTimeMs, 10_000 + 5_000 + 10_000 + 2_000);
    assert.equal(a.totals.completionRate, 50);
    assert.equal(a.totals.avgWatchPct, 67.5);
    assert.equal(a.totals.followers, 1);
    assert.equal(a.totals.followersGained, 1);
    assert.equal(a.totals.shares, 1);
    assert.equal(a.daily.length, 7);
    assert.equal(a.daily.at(-1)?.views, 4);
    const src = Object.fromEntries(a.sources.map((s) => [s.source, s.views]));
    assert.deepEqual(src, { 'for-you': 1, search: 1, share: 1, hashtag: 1 });
    const bands = Object.fromEntries(a.audience.ageBands.map((b) => [b.band, b.viewers]));
    assert.equal(bands['13-17'], 1);
    assert.equal((bands['25-34'] ?? 0) + (bands['35-44'] ?? 0), 1, 'the adult counted once');
    assert.equal(a.audience.unknownViewers, 1);
    const first = a.videos.find((v) => v.id === v1)!;
    assert.equal(first.views, 3);
    assert.equal(first.completionRate, 66.7);
  });

  test('audience by region: from the country viewers set (optional); bad countries are refused', async () => {
    const a = await creator.client.call('analytics', { query: { days: 7 } });
    assert.deepEqual(a.audience.regions, [{ region: 'DE', viewers: 1 }]);
    assert.equal(a.audience.unknownRegionViewers, 1, 'the adult has not set a country');
    assert.equal(a.audience.unknownViewers, 1, 'the signed-out view');
    const csv = await (await fetch(`${t.baseUrl}/api/analytics/export.csv?days=7&kind=audience`, { headers: { cookie: creator.cookie } })).text();
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'dimension,value,viewers');
    assert.ok(lines.includes('region,DE,1'), csv);
    assert.ok(lines.includes('region,not set,1'), csv);
    assert.ok(lines.includes('age_band,13-17,1'), csv);
    for (const country of ['XX', 'Germany', 'D', '<b>', 'de\u0000'])
      assert.equal(await status(adult.client.call('updateEngagementSettings', { body: { country } })), 400, country);
    assert.equal((await adult.client.call('engagementSettings')).country, null, 'nothing stored by a refused change');
    assert.equal((await adult.client.call('updateEngagementSettings', { body: { country: 'br' } })).country, 'BR');
    assert.equal((await adult.client.call('updateEngagementSettings', { body: { country: null } })).country, null, 'null clears it');
  });

  test('per video', async () => {
    const a = await creator.client.call('videoAnalytics', { params: { id: v2 }, query: { days: 28 } });
    assert.equal(a.videos.length, 1);
    assert.equal(a.totals.views, 1);
    assert.equal(a.totals.avgWatchPct, 20);
    assert.deepEqual(a.sources, [{ source: 'hashtag', views: 1 }]);
  });

  test('CSV export, with formulas defused', async () => {
    const res = await fetch(`${t.baseUrl}/api/analytics/export.csv?days=7`, { headers: { cookie: creator.cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines[0], 'video_id,created_at,caption,views,watch_time_seconds,avg_watch_pct,completion_pct,likes,shares');
    assert.ok(lines.some((l) => l.startsWith(v1) && l.includes(",'=cmd|calc first,3,25,")));
    const daily = await (await fetch(`${t.baseUrl}/api/analytics/export.csv?days=7&kind=daily`, { headers: { cookie: creator.cookie } })).text();
    assert.equal(daily.trim().split('\r\n').length, 8);
    assert.equal((await fetch(`${t.baseUrl}/api/analytics/export.csv?days=5`, { headers: { cookie: creator.cookie } })).status, 400);
  });

  test('only the creator or staff: everyone else is refused', async () => {
    assert.equal(await status(t.anon.call('analytics', { query: {} })), 401);
    assert.equal(await status(other.client.call('analytics', { query: { user: 'creator_a' } })), 403);
    assert.equal(await status(other.client.call('videoAnalytics', { params: { id: v1 }, query: {} })), 403);
    assert.equal(await status(t.anon.call('videoAnalytics', { params: { id: v1 }, query: {} })), 401);
    assert.equal((await fetch(`${t.baseUrl}/api/analytics/export.csv`)).status, 401);
    assert.equal((await fetch(`${t.baseUrl}/api/analytics/export.csv?videoId=${v1}`, { headers: { cookie: other.cookie } })).status, 403);
    assert.equal((await fetch(`${t.baseUrl}/api/analytics/export.csv?user=creator_a`, { headers: { cookie: other.cookie } })).status, 403);
    // Another creator's own analytics show none of these views.
    assert.equal((await other.client.call('analytics', { query: {} })).totals.views, 0);
    // Staff may look.
    assert.equal((await staff.client.call('analytics', { query: { user: 'creator_a', days: 7 } })).totals.views, 4);
    assert.equal((await staff.client.call('videoAnalytics', { params: { id: v1 }, query: {} })).totals.views, 3);
    assert.equal(await status(staff.client.call('analytics', { query: { user: 'nobody_here' } })), 404);
    assert.equal(await status(creator.client.call('videoAnalytics', { params: { id: '00000000-0000-4000-8000-000000000000' }, query: {} })), 404);
    assert.equal(await status(creator.client.call('analytics', { query: { days: 3 } })), 400);
  });
});
