import { useEffect, useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { Analytics } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { ChartView } from '../components/chart.tsx';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { formatCount } from '../format.ts';
import { goBack, loginPath, navigate } from '../router.ts';
import '../styles/discovery.css';

const ACCENT = '#ff3d6e';
const ACCENT_2 = '#2de2e6';
const PALETTE = ['#ff3d6e', '#2de2e6', '#facc15', '#4ade80', '#a78bfa', '#fb923c', '#60a5fa', '#f472b6', '#94a3b8', '#e5e7eb'];
const SOURCE_LABEL: Record<string, string> = {
  'for-you': 'For You',
  following: 'Following',
  profile: 'Profile',
  search: 'Search',
  hashtag: 'Hashtag',
  challenge: 'Challenge',
  share: 'Share links',
  discover: 'Discover',
  direct: 'Direct',
  unknown: 'Other',
};

const regionNames = new Intl.DisplayNames(undefined, { type: 'region' });
/** A country's name in the viewer's language ("DE" → "Germany"); the code when the browser does not know it. */
function regionName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}
/** The chart shows this many countries; the rest are summed as "Other". */
const TOP_REGIONS = 8;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="dv-stat" data-testid={testId}>
      <span className="dv-stat-value">{value}</span>
      <span className="dv-stat-label">{label}</span>
    </div>
  );
}

/** /analytics (all my videos) and /analytics/:videoId — charts with Chart.js, CSV export. Only the creator (or staff) sees them. */
export function AnalyticsPage({ videoId }: { videoId: string | null }) {
  const { me, loading: meLoading } = useMe();
  const [days, setDays] = useState<7 | 28 | 90>(28);
  const [state, setState] = useState<{ status: 'loading' } | { status: 'ready'; a: Analytics } | { status: 'error'; message: string }>({ status: 'loading' });

  useEffect(() => {
    document.title = 'Analytics · Flick';
    if (!me) return;
    let cancelled = false;
    setState({ status: 'loading' });
    const req = videoId ? api.call('videoAnalytics', { params: { id: videoId }, query: { days } }) : api.call('analytics', { query: { days } });
    req.then(
      (a) => !cancelled && setState({ status: 'ready', a }),
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [me, videoId, days]);

  const a = state.status === 'ready' ? state.a : null;
  const charts = useMemo(() => {
    if (!a) return null;
    const labels = a.daily.map((d) => d.date.slice(5));
    const views: ChartConfiguration = {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Views',
            data: a.daily.map((d) => d.views),
            borderColor: ACCENT,
            backgroundColor: 'rgba(255,61,110,0.15)',
            fill: true,
            tension: 0.3,
            pointRadius: 0,
          },
          {
            label: 'Watch time (min)',
            data: a.daily.map((d) => Math.round(d.watchTimeMs / 600) / 100),
            borderColor: ACCENT_2,
            tension: 0.3,
            pointRadius: 0,
            yAxisID: 'y1',
          },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } },
      },
    };
    const sources: ChartConfiguration = {
      type: 'doughnut',
      data: {
        labels: a.sources.map((s) => SOURCE_LABEL[s.source] ?? s.source),
        datasets: [{ data: a.sources.map((s) => s.views), backgroundColor: PALETTE, borderWidth: 0 }],
      },
      options: { plugins: { legend: { position: 'right' } } },
    };
    const ages: ChartConfiguration = {
      type: 'bar',
      data: {
        labels: a.audience.ageBands.map((b) => b.band),
        datasets: [{ label: 'Viewers', data: a.audience.ageBands.map((b) => b.viewers), backgroundColor: ACCENT_2 }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
    const top = a.audience.regions.slice(0, TOP_REGIONS);
    const rest = a.audience.regions.slice(TOP_REGIONS).reduce((n, r) => n + r.viewers, 0);
    const regions: ChartConfiguration = {
      type: 'bar',
      data: {
        labels: [...top.map((r) => regionName(r.region)), ...(rest ? ['Other'] : [])],
        datasets: [{ label: 'Viewers', data: [...top.map((r) => r.viewers), ...(rest ? [rest] : [])], backgroundColor: ACCENT }],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
    const followers: ChartConfiguration = {
      type: 'bar',
      data: { labels, datasets: [{ label: 'New followers', data: a.daily.map((d) => d.followersGained), backgroundColor: ACCENT }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
    return { views, sources, ages, regions, followers };
  }, [a]);

  if (!meLoading && !me)
    return (
      <div className="dv-page">
        <CenterState title="Sign in to see your analytics">
          <Link to={loginPath('/analytics')} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );

  const csv = (kind: 'videos' | 'daily' | 'audience') =>
    `/api/analytics/export.csv?kind=${kind}&days=${days}${videoId ? `&videoId=${encodeURIComponent(videoId)}` : ''}`;
  const video = videoId && a ? a.videos[0] : undefined;

  return (
    <div className="dv-page" data-testid="analytics-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack(videoId ? '/analytics' : '/discover')}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1>{videoId ? 'Video analytics' : 'Analytics'}</h1>
          {video && <span className="dv-muted dv-ellipsis">{video.caption || 'Untitled'}</span>}
        </div>
      </header>
      <div className="dv-tabs" role="tablist" aria-label="Period">
        {([7, 28, 90] as const).map((d) => (
          <button key={d} type="button" role="tab" aria-selected={days === d} className={days === d ? 'dv-tab is-active' : 'dv-tab'} onClick={() => setDays(d)}>
            {d} days
          </button>
        ))}
      </div>
      {state.status === 'loading' && <Spinner />}
      {state.status === 'error' && <ErrorText message={state.message} />}
      {a && charts && (
        <>
          <div className="dv-stats" data-testid="analytics-totals">
            <Stat label="Views" value={formatCount(a.totals.views)} testId="stat-views" />
            <Stat label="Watch time" value={duration(a.totals.watchTimeMs)} />
            <Stat label="Avg. watched" value={`${a.totals.avgWatchPct}%`} />
            <Stat label="Completion" value={`${a.totals.completionRate}%`} />
            <Stat label="Likes" value={formatCount(a.totals.likes)} />
            <Stat label="Shares" value={formatCount(a.totals.shares)} />
            {!videoId && <Stat label="Followers" value={`${formatCount(a.totals.followers)} (+${a.totals.followersGained})`} />}
          </div>
          <section className="dv-section">
            <h2 className="dv-h2">Views and watch time</h2>
            <ChartView config={charts.views} label="Views and watch time per day" testId="chart-views" />
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Traffic sources</h2>
            {a.sources.length ? (
              <ChartView config={charts.sources} label="Views by traffic source" testId="chart-sources" />
            ) : (
              <p className="dv-muted dv-pad">No views yet.</p>
            )}
          </section>
          {!videoId && (
            <section className="dv-section">
              <h2 className="dv-h2">Follower growth</h2>
              <ChartView config={charts.followers} label="New followers per day" height={160} />
            </section>
          )}
          <section className="dv-section">
            <h2 className="dv-h2">Audience by age</h2>
            <ChartView config={charts.ages} label="Viewers by age band" height={160} />
            <p className="dv-muted dv-pad">
              {a.audience.unknownViewers} signed-out {a.audience.unknownViewers === 1 ? 'view' : 'views'} of unknown age and region.
            </p>
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Audience by region</h2>
            {a.audience.regions.length ? (
              <ChartView
                config={charts.regions}
                label="Viewers by country"
                testId="chart-regions"
                height={Math.max(120, 28 * Math.min(a.audience.regions.length, TOP_REGIONS + 1))}
              />
            ) : (
              <p className="dv-muted dv-pad">No viewer has said where they are yet.</p>
            )}
            <p className="dv-muted dv-pad" data-testid="regions-unknown">
              {a.audience.unknownRegionViewers} signed-in {a.audience.unknownRegionViewers === 1 ? 'viewer has' : 'viewers have'} not set a country (it is
              optional, in Privacy settings).
            </p>
          </section>
          <section className="dv-section">
            <h2 className="dv-h2">Export</h2>
            <p className="dv-pad dv-links">
              <a href={csv('videos')} download data-testid="csv-videos">
                Per-video CSV
              </a>
              <a href={csv('daily')} download>
                Daily CSV
              </a>
              <a href={csv('audience')} download data-testid="csv-audience">
                Audience CSV (age, region)
              </a>
            </p>
          </section>
          {!videoId && (
            <section className="dv-section">
              <h2 className="dv-h2">Videos</h2>
              <table className="dv-table" data-testid="analytics-videos">
                <thead>
                  <tr>
                    <th>Video</th>
                    <th>Views</th>
                    <th>Avg. %</th>
                    <th>Done %</th>
                  </tr>
                </thead>
                <tbody>
                  {a.videos.map((v) => (
                    <tr key={v.id} onClick={() => navigate(`/analytics/${v.id}`)} className="dv-row-link">
                      <td className="dv-ellipsis">{v.caption || 'Untitled'}</td>
                      <td>{formatCount(v.views)}</td>
                      <td>{v.avgWatchPct}</td>
                      <td>{v.completionRate}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </div>
  );
}
