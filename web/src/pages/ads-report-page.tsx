import { useEffect, useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { AdReport } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { ChartView } from '../components/chart.tsx';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { formatCount } from '../format.ts';
import { goBack, loginPath, navigate, useLocation } from '../router.ts';
import { adReportPath, adsPath, fmtMicros, fmtPct } from './ads-format.ts';
import '../styles/discovery.css';
import '../styles/ads.css';

type Level = AdReport['level'];
const LEVEL_LABEL: Record<Level, string> = { campaign: 'Campaign', 'ad-group': 'Ad group', ad: 'Ad' };
/** Units of the auction insight's clearing price (the engine charges CPM and oCPM per impression). */
const CLEARING_UNIT: Record<NonNullable<AdReport['insight']>['billing'], string> = {
  CPM: 'per 1,000 impressions',
  OCPM: 'per 1,000 impressions',
  CPC: 'per click',
  CPV: 'per 6-second view',
};
const ACCENT = '#ff3d6e';
const ACCENT_2 = '#2de2e6';
const YELLOW = '#facc15';

/** Periods: the last N days by day, or the last 48 hours by hour. */
const PERIODS = [
  { key: '48h', label: '48 hours', ms: 48 * 3_600_000, bucket: 'hour' },
  { key: '7d', label: '7 days', ms: 7 * 86_400_000, bucket: 'day' },
  { key: '28d', label: '28 days', ms: 28 * 86_400_000, bucket: 'day' },
  { key: '90d', label: '90 days', ms: 90 * 86_400_000, bucket: 'day' },
] as const;
type PeriodKey = (typeof PERIODS)[number]['key'];

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="dv-stat" data-testid={testId}>
      <span className="dv-stat-value">{value}</span>
      <span className="dv-stat-label">{label}</span>
    </div>
  );
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** /ads/report/:level/:id — a campaign's, ad group's or ad's figures over time, auction insight, invalid traffic, CSV. */
export function AdsReportPage({ level, id }: { level: Level; id: string }) {
  const { me, loading: meLoading } = useMe();
  const { search } = useLocation();
  const advertiser = search.get('advertiser');
  const [period, setPeriod] = useState<PeriodKey>('7d');
  const [state, setState] = useState<{ status: 'loading' } | { status: 'ready'; r: AdReport } | { status: 'error'; message: string }>({ status: 'loading' });
  const p = PERIODS.find((x) => x.key === period) ?? PERIODS[1];
  /** Fixed when the period is picked, so the CSV links match what is on screen. */
  const range = useMemo(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - p.ms).toISOString(), to: to.toISOString(), bucket: p.bucket };
  }, [p]);

  useEffect(() => {
    if (!me) return;
    let cancelled = false;
    setState({ status: 'loading' });
    api.call('adReport', { params: { level, id }, query: range }).then(
      (r) => {
        if (cancelled) return;
        setState({ status: 'ready', r });
        document.title = `${r.name} · Ads report · Flick`;
      },
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [me, level, id, range]);

  const r = state.status === 'ready' ? state.r : null;
  const charts = useMemo(() => {
    if (!r) return null;
    const labels = r.series.map((b) => (r.bucket === 'hour' ? `${b.start.slice(5, 10)} ${b.start.slice(11, 13)}h` : b.start.slice(5, 10)));
    const delivery: ChartConfiguration = {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Impressions',
            data: r.series.map((b) => b.impressions),
            borderColor: ACCENT,
            backgroundColor: 'rgba(255,61,110,0.15)',
            fill: true,
            tension: 0.3,
            pointRadius: 0,
          },
          { label: 'Reach', data: r.series.map((b) => b.reach), borderColor: YELLOW, tension: 0.3, pointRadius: 0 },
          { label: 'Clicks', data: r.series.map((b) => b.clicks), borderColor: ACCENT_2, tension: 0.3, pointRadius: 0, yAxisID: 'y1' },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { precision: 0 } },
        },
      },
    };
    const spend: ChartConfiguration = {
      type: 'bar',
      data: { labels, datasets: [{ label: 'Spend (USD)', data: r.series.map((b) => b.spendMicros / 1e6), backgroundColor: ACCENT_2 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    };
    const t = r.totals;
    const funnel: ChartConfiguration = {
      type: 'bar',
      data: {
        labels: ['Impressions', 'Viewable', '2-s views', '6-s views', '25 %', '50 %', '75 %', '100 %'],
        datasets: [{ label: 'People', data: [t.impressions, t.viewable, t.views2s, t.views6s, t.q25, t.q50, t.q75, t.q100], backgroundColor: ACCENT }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
    return { delivery, spend, funnel };
  }, [r]);

  if (!meLoading && !me)
    return (
      <div className="dv-page">
        <CenterState title="Sign in to see your ad reports">
          <Link to={loginPath(location.pathname)} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  const csv = (kind: 'series' | 'breakdown' | 'invalid') =>
    `/api/ads/reports/${level}/${encodeURIComponent(id)}/export.csv?kind=${kind}&from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&bucket=${range.bucket}`;
  const back = advertiser ? adsPath({ advertiser }) : '/ads';

  return (
    <div className="dv-page ads-page" data-testid="ads-report-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack(back)}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1 data-testid="report-title">{r ? r.name : 'Report'}</h1>
          <span className="dv-muted">
            {LEVEL_LABEL[level]} report{r ? ` · ${r.bucket === 'hour' ? 'hourly' : 'daily'}, UTC` : ''}
          </span>
        </div>
      </header>
      <div className="dv-tabs" role="tablist" aria-label="Period">
        {PERIODS.map((x) => (
          <button
            key={x.key}
            type="button"
            role="tab"
            aria-selected={period === x.key}
            className={period === x.key ? 'dv-tab is-active' : 'dv-tab'}
            onClick={() => setPeriod(x.key)}
            data-testid={`period-${x.key}`}
          >
            {x.label}
          </button>
        ))}
      </div>
      {state.status === 'loading' && <Spinner />}
      {state.status === 'error' && <ErrorText message={state.message} />}
      {r && charts && (
        <>
          <div className="dv-stats" data-testid="report-totals">
            <Stat label="Impressions" value={formatCount(r.totals.impressions)} testId="stat-impressions" />
            <Stat label="Reach" value={formatCount(r.totals.reach)} testId="stat-reach" />
            <Stat label="Frequency" value={r.totals.frequency === null ? '—' : r.totals.frequency.toFixed(2)} />
            <Stat label="Clicks" value={formatCount(r.totals.clicks)} testId="stat-clicks" />
            <Stat label="CTR" value={fmtPct(r.totals.ctr)} />
            <Stat label="Spend" value={fmtMicros(r.totals.spendMicros)} testId="stat-spend" />
            <Stat label="CPM" value={fmtMicros(r.totals.cpmMicros)} />
            <Stat label="CPC" value={fmtMicros(r.totals.cpcMicros)} />
            <Stat label="6-s views" value={formatCount(r.totals.views6s)} />
            <Stat label="CPV (6 s)" value={fmtMicros(r.totals.cpvMicros)} />
            <Stat label="Conversions" value={formatCount(r.totals.conversions)} testId="stat-conversions" />
            <Stat label="CPA" value={fmtMicros(r.totals.cpaMicros)} />
            <Stat label="Avg. watch" value={seconds(r.totals.avgWatchMs)} />
            <Stat label="Viewable" value={formatCount(r.totals.viewable)} />
            <Stat label="2-s views" value={formatCount(r.totals.views2s)} />
          </div>
          {level === 'ad-group' && (
            <section className="dv-section" data-testid="auction-insight">
              <h2 className="dv-h2">Auction insight</h2>
              {r.insight ? (
                <dl className="ads-facts">
                  <dt>Your bid</dt>
                  <dd>
                    {fmtMicros(r.insight.bidMicros)} {r.insight.billing}
                  </dd>
                  <dt>Average clearing price</dt>
                  <dd data-testid="insight-clearing">
                    {fmtMicros(r.insight.avgClearingMicros)} {CLEARING_UNIT[r.insight.billing]}
                  </dd>
                  <dt>Minimum bid to win</dt>
                  <dd data-testid="insight-min-bid">
                    {fmtMicros(r.insight.minBidToWinMicros)} {r.insight.billing}
                  </dd>
                  <dt>Win rate</dt>
                  <dd>{fmtPct(r.insight.winRate, 1)}</dd>
                  <dt>Pacing</dt>
                  <dd>enters {fmtPct(r.insight.throttle, 0)} of auctions</dd>
                </dl>
              ) : (
                <p className="dv-pad dv-muted">The ad server has not run this ad group yet: its auction figures appear once it enters auctions.</p>
              )}
            </section>
          )}
          <section className="dv-section">
            <h2 className="dv-h2">Delivery</h2>
            <ChartView config={charts.delivery} label="Impressions, reach and clicks over time" testId="chart-delivery" />
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Spend</h2>
            <ChartView config={charts.spend} label="Spend over time" height={160} testId="chart-spend" />
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Views and quartiles</h2>
            <ChartView config={charts.funnel} label="Impressions, viewable, 2- and 6-second views, quartiles" height={160} />
          </section>
          {r.breakdown.length > 0 && (
            <section className="dv-section">
              <h2 className="dv-h2">{level === 'campaign' ? 'Ad groups' : 'Ads'}</h2>
              <table className="dv-table ads-table" data-testid="report-breakdown">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Impr.</th>
                    <th>CTR</th>
                    <th>Spend</th>
                    {level === 'campaign' && <th>Min bid to win</th>}
                  </tr>
                </thead>
                <tbody>
                  {r.breakdown.map((b) => (
                    <tr key={b.id} className="dv-row-link" onClick={() => navigate(adReportPath(b.level, b.id, advertiser ?? undefined))}>
                      <td className="dv-ellipsis">
                        {b.name} <span className="dv-muted">({b.status})</span>
                      </td>
                      <td>{formatCount(b.impressions)}</td>
                      <td>{fmtPct(b.ctr, 1)}</td>
                      <td>{fmtMicros(b.spendMicros)}</td>
                      {level === 'campaign' && <td>{fmtMicros(b.insight?.minBidToWinMicros)}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <section className="dv-section" data-testid="report-invalid">
            <h2 className="dv-h2">Invalid traffic</h2>
            {r.invalid.impressions > 0 ? (
              <>
                <p className="dv-pad">
                  {plural(r.invalid.impressions, 'impression')} and {plural(r.invalid.clicks, 'click')} were flagged. {r.invalid.note}
                </p>
                <ul className="ads-list">
                  {r.invalid.rules.map((x) => (
                    <li key={x.rule} className="ads-row" data-testid="invalid-rule">
                      <span className="ads-row-main">
                        <strong>{x.rule.replace(/_/g, ' ')}</strong>
                        <span className="dv-muted">
                          {plural(x.impressions, 'impression')} · {plural(x.clicks, 'click')} · {plural(x.views6s, '6-s view')}
                        </span>
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="dv-pad dv-muted">None detected in this period. {r.invalid.note}</p>
            )}
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Export</h2>
            <p className="dv-pad dv-links">
              <a href={csv('series')} download data-testid="csv-series">
                Over time (CSV)
              </a>
              {r.breakdown.length > 0 && (
                <a href={csv('breakdown')} download data-testid="csv-breakdown">
                  {level === 'campaign' ? 'Per ad group' : 'Per ad'} (CSV)
                </a>
              )}
              <a href={csv('invalid')} download>
                Invalid traffic (CSV)
              </a>
            </p>
          </section>
        </>
      )}
    </div>
  );
}
