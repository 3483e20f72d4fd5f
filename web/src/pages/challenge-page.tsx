import { useEffect, useState } from 'react';
import type { Leaderboard } from '@flick/contracts';
import { api, ApiError, errorMessage } from '../api.ts';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { VideoTiles } from '../components/video-tiles.tsx';
import { formatCount } from '../format.ts';
import { goBack, tagPath } from '../router.ts';
import '../styles/discovery.css';

const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** /challenge/:slug — a hashtag challenge: banner, title, description, rules, dates and the leaderboard. */
export function ChallengePage({ slug }: { slug: string }) {
  const [state, setState] = useState<{ status: 'loading' } | { status: 'ready'; data: Leaderboard } | { status: 'error'; message: string; notFound: boolean }>({
    status: 'loading',
  });

  useEffect(() => {
    let cancelled = false;
    api.call('challenge', { params: { slug } }).then(
      (data) => {
        if (cancelled) return;
        setState({ status: 'ready', data });
        document.title = `${data.challenge.title} · Flick`;
      },
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err), notFound: err instanceof ApiError && err.status === 404 }),
    );
    return () => {
      cancelled = true;
    };
  }, [slug]);

  if (state.status === 'loading') return <Spinner />;
  if (state.status === 'error')
    return (
      <div className="dv-page">
        <CenterState title={state.notFound ? 'Challenge not found' : "Couldn't load this challenge"} tone="error">
          <p>{state.message}</p>
          <Link to="/discover" className="btn btn-primary">
            Discover
          </Link>
        </CenterState>
      </div>
    );
  const { challenge: c, items } = state.data;
  return (
    <div className="dv-page" data-testid="challenge-page">
      <div className="dv-banner" style={c.bannerUrl ? { backgroundImage: `url("${encodeURI(c.bannerUrl)}")` } : undefined} data-testid="challenge-banner">
        <button type="button" className="icon-btn dv-banner-back" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
      </div>
      <section className="dv-challenge-head">
        <h1 data-testid="challenge-title">{c.title}</h1>
        <p className="dv-challenge-meta">
          <Link to={tagPath(c.hashtag)} from="challenge" className="dv-chip">
            #{c.hashtag}
          </Link>
          <span className={`dv-status dv-status-${c.status}`} data-testid="challenge-status">
            {c.status === 'active' ? 'Live' : c.status === 'upcoming' ? 'Upcoming' : 'Ended'}
          </span>
          {c.sponsor && <span className="dv-muted">Sponsored by {c.sponsor}</span>}
        </p>
        <p className="dv-muted" data-testid="challenge-dates">
          {dateFmt.format(new Date(c.startsAt))} – {dateFmt.format(new Date(c.endsAt))} · {formatCount(c.participants)} creators taking part
        </p>
        {c.description && <p className="dv-prewrap">{c.description}</p>}
        {c.rules && (
          <details className="dv-rules" open>
            <summary>Rules</summary>
            <p className="dv-prewrap" data-testid="challenge-rules">
              {c.rules}
            </p>
          </details>
        )}
        {c.status !== 'ended' && (
          <Link to="/upload" className="btn btn-primary">
            Join — post with #{c.hashtag}
          </Link>
        )}
      </section>
      <section className="dv-section">
        <h2 className="dv-h2">Leaderboard</h2>
        {items.length === 0 ? (
          <p className="dv-muted dv-pad">No entries yet. Be the first!</p>
        ) : (
          <VideoTiles videos={items.map((i) => i.video)} from="challenge" testId="challenge-leaderboard" badge={(_, i) => `#${i + 1}`} />
        )}
      </section>
    </div>
  );
}
