import { sql } from 'kysely';
import type { z } from 'zod';
import type { AdAuctionInsight, AdMetrics, AdReport, AdReportLevel, AdReportQuery } from '@flick/contracts';
import type { Database } from '../../platform/db/db.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import { csvCell } from '../analytics/analytics.service.ts';
import type { GroupReport } from './engine/ad-server.ts';

/** The ad server's view of one ad group (`AdServer.report`); undefined when it has not loaded the group. */
export type InsightSource = (groupId: string) => GroupReport | undefined;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Longest range per bucket size (a chart of at most 744 points). */
const MAX_RANGE = { hour: 31 * DAY, day: 366 * DAY } as const;
const DEFAULT_RANGE = { hour: 2 * DAY, day: 7 * DAY } as const;

export const INVALID_NOTE =
  'Invalid traffic (events our rules flagged, such as too many from one person or network, or impossible sequences) is excluded from every figure above and was never billed.';

/** Where each level's rows live and what its children are. */
const LEVELS = {
  campaign: { column: 'campaign_id', child: 'ad_group_id', childLevel: 'ad-group' },
  'ad-group': { column: 'ad_group_id', child: 'ad_id', childLevel: 'ad' },
  ad: { column: 'ad_id', child: null, childLevel: null },
} as const;

type Raw = {
  impressions: number;
  reach: number;
  viewable: number;
  views2s: number;
  views6s: number;
  q25: number;
  q50: number;
  q75: number;
  q100: number;
  clicks: number;
  spend: number;
  watch: number;
};
type Conv = { n: number; v: number };
const ZERO: Raw = { impressions: 0, reach: 0, viewable: 0, views2s: 0, views6s: 0, q25: 0, q50: 0, q75: 0, q100: 0, clicks: 0, spend: 0, watch: 0 };

const ratio = (a: number, b: number, scale = 1) => (b > 0 ? (a * scale) / b : null);
const round = (v: number | null, digits = 6) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** The figures of one slice: counts as stored, rates and costs derived (money in µ$, rounded to whole µ$). */
export function metrics(r: Raw, c: Conv = { n: 0, v: 0 }): AdMetrics {
  const money = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    impressions: r.impressions,
    reach: r.reach,
    frequency: round(ratio(r.impressions, r.reach), 3),
    viewable: r.viewable,
    views2s: r.views2s,
    views6s: r.views6s,
    q25: r.q25,
    q50: r.q50,
    q75: r.q75,
    q100: r.q100,
    clicks: r.clicks,
    ctr: round(ratio(r.clicks, r.impressions)),
    spendMicros: Math.round(r.spend),
    cpmMicros: money(ratio(r.spend, r.impressions, 1000)),
    cpcMicros: money(ratio(r.spend, r.clicks)),
    cpvMicros: money(ratio(r.spend, r.views6s)),
    conversions: c.n,
    conversionValueCents: Math.round(c.v),
    cpaMicros: money(ratio(r.spend, c.n)),
    avgWatchMs: money(ratio(r.watch, r.impressions)),
  };
}

function insightOf(g: { billing: 'CPM' | 'CPC' | 'CPV' | 'OCPM'; bid_micros: number }, rep: GroupReport | undefined): z.input<typeof AdAuctionInsight> | null {
  if (!rep) return null;
  return {
    billing: g.billing,
    bidMicros: g.bid_micros,
    // The engine clears CPM and oCPM per impression: shown per 1,000 impressions, like a CPM bid.
    avgClearingMicros: rep.avgClearingMicros === null ? null : Math.round(rep.avgClearingMicros * (g.billing === 'CPM' || g.billing === 'OCPM' ? 1000 : 1)),
    minBidToWinMicros: rep.minBidToWinMicros === null ? null : Math.round(rep.minBidToWinMicros),
    winRate: rep.winRate,
    throttle: rep.throttle,
  };
}

/**
 * Advertiser reports, computed on request from `ad_impressions` (one row per served ad, with its outcomes) and
 * `ad_conversions`, so what a report says and what was billed come from the same rows. Only valid rows count;
 * invalid traffic is reported per rule beside the figures. Members of the advertiser (any role) may read.
 */
export function createAdsReports(deps: { db: Database; insight?: InsightSource; now?: () => number }) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  async function subject(user: SessionUser, level: AdReportLevel, id: string) {
    let row: { name: string; status: string; advertiser_id: string; billing?: 'CPM' | 'CPC' | 'CPV' | 'OCPM'; bid_micros?: number } | undefined;
    if (level === 'campaign') row = await db.selectFrom('ad_campaigns').select(['name', 'status', 'advertiser_id']).where('id', '=', id).executeTakeFirst();
    else if (level === 'ad-group')
      row = await db
        .selectFrom('ad_groups as g')
        .innerJoin('ad_campaigns as c', 'c.id', 'g.campaign_id')
        .select(['g.name', 'g.status', 'c.advertiser_id', 'g.billing', 'g.bid_micros'])
        .where('g.id', '=', id)
        .executeTakeFirst();
    else
      row = await db
        .selectFrom('ads as a')
        .innerJoin('ad_groups as g', 'g.id', 'a.ad_group_id')
        .innerJoin('ad_campaigns as c', 'c.id', 'g.campaign_id')
        .select(['a.name', 'a.status', 'c.advertiser_id'])
        .where('a.id', '=', id)
        .executeTakeFirst();
    const what = level === 'ad-group' ? 'ad group' : level;
    if (!row) throw notFound(what);
    const member = await db
      .selectFrom('advertiser_members')
      .select('role')
      .where('advertiser_id', '=', row.advertiser_id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    // Not a member: the same 404 as an unknown id, so ids do not leak.
    if (!member) throw notFound(what);
    return row;
  }

  function range(q: AdReportQuery) {
    const to = q.to ? Date.parse(q.to) : now();
    const from = q.from ? Date.parse(q.from) : to - DEFAULT_RANGE[q.bucket];
    if (from >= to) throw badRequest('invalid_request', 'from must be before to');
    if (to - from > MAX_RANGE[q.bucket])
      throw badRequest(
        'invalid_request',
        q.bucket === 'hour' ? 'hourly reports cover at most 31 days: pick a shorter range or daily buckets' : 'reports cover at most 366 days',
      );
    const step = q.bucket === 'hour' ? HOUR : DAY;
    const starts: number[] = [];
    for (let t = Math.floor(from / step) * step; t < to; t += step) starts.push(t);
    return { from, to, step, starts };
  }

  return {
    async report(user: SessionUser, level: AdReportLevel, id: string, q: AdReportQuery): Promise<z.input<typeof AdReport>> {
      const s = await subject(user, level, id);
      const { from, to, starts } = range(q);
      const { column, child, childLevel } = LEVELS[level];
      const col = sql.ref(`i.${column}`);
      const childCol = child ? sql.ref(`i.${child}`) : sql<null>`null::uuid`;
      const fromD = new Date(from);
      const toD = new Date(to);
      // Buckets are UTC: date_trunc on the UTC wall clock, back to a timestamptz.
      const bucketOf = (c: string) => sql`(date_trunc(${q.bucket}, ${sql.ref(c)} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

      // One pass over the valid rows: per bucket, per child, and the total (reach is distinct within each set).
      const imp = await sql<Raw & { b: Date | null; child: string | null; gb: number; gc: number }>`
        SELECT b, child, GROUPING(b)::int AS gb, GROUPING(child)::int AS gc,
          count(*)::int AS impressions, count(DISTINCT viewer_key)::int AS reach,
          count(viewable_at)::int AS viewable, count(view2s_at)::int AS views2s, count(view6s_at)::int AS views6s,
          count(q25_at)::int AS q25, count(q50_at)::int AS q50, count(q75_at)::int AS q75, count(q100_at)::int AS q100,
          count(clicked_at)::int AS clicks, coalesce(sum(charged_micros), 0)::float8 AS spend, coalesce(sum(watch_ms), 0)::float8 AS watch
        FROM (
          SELECT ${bucketOf('i.served_at')} AS b, ${childCol} AS child, i.*
          FROM ad_impressions i
          WHERE ${col} = ${id} AND i.served_at >= ${fromD} AND i.served_at < ${toD} AND i.invalid IS NULL
        ) x
        GROUP BY GROUPING SETS ((b), (child), ())`.execute(db);

      // Attributed conversions when they happened; a conversion credited to an invalid impression does not count.
      const conv = await sql<{ b: Date | null; child: string | null; gb: number; gc: number; n: number; v: number }>`
        SELECT b, child, GROUPING(b)::int AS gb, GROUPING(child)::int AS gc, count(*)::int AS n, coalesce(sum(value_cents), 0)::float8 AS v
        FROM (
          SELECT ${bucketOf('c.occurred_at')} AS b, ${child ? sql.ref(`c.${child}`) : sql`null::uuid`} AS child, c.value_cents
          FROM ad_conversions c LEFT JOIN ad_impressions i ON i.id = c.impression_id
          WHERE ${sql.ref(`c.${column}`)} = ${id} AND c.advertiser_id = ${s.advertiser_id} AND c.attribution IS NOT NULL
            AND c.occurred_at >= ${fromD} AND c.occurred_at < ${toD} AND i.invalid IS NULL
        ) x
        GROUP BY GROUPING SETS ((b), (child), ())`.execute(db);

      const invalid = await sql<{ rule: string; impressions: number; clicks: number; views6s: number }>`
        SELECT i.invalid AS rule, count(*)::int AS impressions, count(i.clicked_at)::int AS clicks, count(i.view6s_at)::int AS views6s
        FROM ad_impressions i
        WHERE ${col} = ${id} AND i.served_at >= ${fromD} AND i.served_at < ${toD} AND i.invalid IS NOT NULL
        GROUP BY i.invalid ORDER BY count(*) DESC, i.invalid`.execute(db);

      const rawBy = (want: 'total' | 'bucket' | 'child') =>
        imp.rows.filter((r) => (want === 'total' ? r.gb === 1 && r.gc === 1 : want === 'bucket' ? r.gb === 0 : r.gc === 0 && r.gb === 1));
      const convBy = (want: 'total' | 'bucket' | 'child') =>
        conv.rows.filter((r) => (want === 'total' ? r.gb === 1 && r.gc === 1 : want === 'bucket' ? r.gb === 0 : r.gc === 0 && r.gb === 1));
      const key = (d: Date | null) => (d ? d.getTime() : NaN);
      const impBucket = new Map(rawBy('bucket').map((r) => [key(r.b), r]));
      const convBucket = new Map(convBy('bucket').map((r) => [key(r.b), r]));
      const impChild = new Map(rawBy('child').map((r) => [r.child, r]));
      const convChild = new Map(convBy('child').map((r) => [r.child, r]));

      let children: { id: string; name: string; status: string; billing?: 'CPM' | 'CPC' | 'CPV' | 'OCPM'; bid_micros?: number }[] = [];
      if (level === 'campaign')
        children = await db
          .selectFrom('ad_groups')
          .select(['id', 'name', 'status', 'billing', 'bid_micros'])
          .where('campaign_id', '=', id)
          .orderBy('created_at')
          .execute();
      else if (level === 'ad-group')
        children = await db.selectFrom('ads').select(['id', 'name', 'status']).where('ad_group_id', '=', id).orderBy('created_at').execute();

      const groupInsight = (gid: string, g: { billing?: 'CPM' | 'CPC' | 'CPV' | 'OCPM'; bid_micros?: number }) =>
        g.billing && g.bid_micros !== undefined ? insightOf({ billing: g.billing, bid_micros: g.bid_micros }, deps.insight?.(gid)) : null;

      return {
        level,
        id,
        name: s.name,
        advertiserId: s.advertiser_id,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucket: q.bucket,
        totals: metrics(rawBy('total')[0] ?? ZERO, convBy('total')[0]),
        series: starts.map((t) => ({ start: new Date(t).toISOString(), ...metrics(impBucket.get(t) ?? ZERO, convBucket.get(t)) })),
        breakdown: children.map((c) => ({
          level: childLevel ?? 'ad',
          id: c.id,
          name: c.name,
          status: c.status,
          ...metrics(impChild.get(c.id) ?? ZERO, convChild.get(c.id)),
          insight: childLevel === 'ad-group' ? groupInsight(c.id, c) : null,
        })),
        invalid: {
          impressions: invalid.rows.reduce((n, r) => n + r.impressions, 0),
          clicks: invalid.rows.reduce((n, r) => n + r.clicks, 0),
          rules: invalid.rows,
          note: INVALID_NOTE,
        },
        insight: level === 'ad-group' ? groupInsight(id, s) : null,
      };
    },
  };
}
export type AdsReports = ReturnType<typeof createAdsReports>;

const usd = (micros: number | null) => (micros === null ? '' : (micros / 1e6).toFixed(4));
const pct = (v: number | null) => (v === null ? '' : (v * 100).toFixed(2));
const METRIC_HEADERS = [
  'impressions',
  'reach',
  'frequency',
  'viewable',
  'views_2s',
  'views_6s',
  'q25',
  'q50',
  'q75',
  'q100',
  'clicks',
  'ctr_pct',
  'spend_usd',
  'cpm_usd',
  'cpc_usd',
  'cpv_usd',
  'conversions',
  'conversion_value_usd',
  'cpa_usd',
  'avg_watch_seconds',
];
const metricCells = (m: z.input<typeof AdMetrics>): (string | number)[] => [
  m.impressions,
  m.reach,
  m.frequency ?? '',
  m.viewable,
  m.views2s,
  m.views6s,
  m.q25,
  m.q50,
  m.q75,
  m.q100,
  m.clicks,
  pct(m.ctr),
  usd(m.spendMicros),
  usd(m.cpmMicros),
  usd(m.cpcMicros),
  usd(m.cpvMicros),
  m.conversions,
  (m.conversionValueCents / 100).toFixed(2),
  usd(m.cpaMicros),
  m.avgWatchMs === null ? '' : (m.avgWatchMs / 1000).toFixed(2),
];

export type AdReportCsvKind = 'series' | 'breakdown' | 'invalid';

/** A report as CSV: the time series (plus a total row), the breakdown by the level below, or the invalid traffic per rule. */
export function adReportCsv(r: z.input<typeof AdReport>, kind: AdReportCsvKind): string {
  let rows: (string | number)[][];
  if (kind === 'series')
    rows = [
      ['bucket_start_utc', ...METRIC_HEADERS],
      ...r.series.map((b) => [b.start, ...metricCells(b)]),
      [`total ${r.from} – ${r.to}`, ...metricCells(r.totals)],
    ];
  else if (kind === 'breakdown')
    rows = [
      ['level', 'id', 'name', 'status', ...METRIC_HEADERS, 'avg_clearing_usd', 'min_bid_to_win_usd', 'win_rate_pct'],
      ...r.breakdown.map((b) => [
        b.level,
        b.id,
        b.name,
        b.status,
        ...metricCells(b),
        usd(b.insight?.avgClearingMicros ?? null),
        usd(b.insight?.minBidToWinMicros ?? null),
        b.insight ? pct(b.insight.winRate) : '',
      ]),
      ['total', r.id, r.name, '', ...metricCells(r.totals), '', '', ''],
    ];
  else rows = [['rule', 'impressions', 'clicks', 'views_6s', 'billed'], ...r.invalid.rules.map((x) => [x.rule, x.impressions, x.clicks, x.views6s, 'no'])];
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
