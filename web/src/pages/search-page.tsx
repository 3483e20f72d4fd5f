import { useEffect, useState } from 'react';
import type { SearchResult } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { NoteIcon } from '../components/discovery-icons.tsx';
import { BackIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { SearchBox } from '../components/search-box.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { VideoTiles } from '../components/video-tiles.tsx';
import { formatCount } from '../format.ts';
import { goBack, navigate, profilePath, searchPath, soundPath, tagPath, useLocation } from '../router.ts';
import '../styles/discovery.css';

type Tab = 'all' | 'videos' | 'users' | 'hashtags' | 'sounds';

/** /search?q= — videos (caption, hashtags, sound title), people, hashtags and sounds, with suggestions while typing. */
export function SearchPage() {
  const q = useLocation().search.get('q') ?? '';
  const [tab, setTab] = useState<Tab>('all');
  const [state, setState] = useState<{ status: 'idle' | 'loading' } | { status: 'ready'; result: SearchResult } | { status: 'error'; message: string }>({
    status: 'idle',
  });

  useEffect(() => {
    document.title = q ? `${q} · Search · Flick` : 'Search · Flick';
    if (!q.trim()) {
      setState({ status: 'idle' });
      return;
    }
    let cancelled = false;
    setState({ status: 'loading' });
    api.call('search', { query: { q, type: tab } }).then(
      (result) => !cancelled && setState({ status: 'ready', result }),
      (err: unknown) => !cancelled && setState({ status: 'error', message: errorMessage(err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [q, tab]);

  const r = state.status === 'ready' ? state.result : null;
  const empty = r && r.videos.length + r.users.length + r.hashtags.length + r.sounds.length === 0;

  return (
    <div className="dv-page" data-testid="search-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
        <SearchBox initial={q} autoFocus={!q} onSearch={(text) => navigate(searchPath(text), { replace: Boolean(q) })} />
      </header>
      {q && (
        <div className="dv-tabs" role="tablist">
          {(['all', 'videos', 'users', 'hashtags', 'sounds'] as const).map((t) => (
            <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'dv-tab is-active' : 'dv-tab'} onClick={() => setTab(t)}>
              {t === 'all' ? 'Top' : t === 'users' ? 'People' : t[0]!.toUpperCase() + t.slice(1)}
            </button>
          ))}
        </div>
      )}
      {state.status === 'loading' && <Spinner />}
      {state.status === 'error' && <ErrorText message={state.message} />}
      {state.status === 'idle' && <p className="dv-muted dv-pad">Search for videos by caption, hashtag or sound, people by name, hashtags and sounds.</p>}
      {r?.corrected && (
        <p className="dv-pad dv-muted" data-testid="search-corrected">
          Showing results for <strong>{r.corrected}</strong>
        </p>
      )}
      {empty && <CenterState title="No results">Try another word or check the spelling.</CenterState>}
      {r && r.hashtags.length > 0 && (
        <section className="dv-section">
          {tab === 'all' && <h2 className="dv-h2">Hashtags</h2>}
          <ul className="dv-chips" data-testid="search-hashtags">
            {r.hashtags.map((h) => (
              <li key={h.tag}>
                <Link to={tagPath(h.tag)} from="search" className="dv-chip">
                  #{h.tag} <span className="dv-muted">{formatCount(h.videos)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {r && r.users.length > 0 && (
        <section className="dv-section">
          {tab === 'all' && <h2 className="dv-h2">People</h2>}
          <ul className="dv-people" data-testid="search-users">
            {r.users.map((u) => (
              <li key={u.id}>
                <Link to={profilePath(u.username)} from="search" className="dv-person">
                  <Avatar user={u} size={44} />
                  <span className="dv-person-names">
                    <strong>@{u.username}</strong>
                    <span className="dv-muted">
                      {u.displayName} · {formatCount(u.followers)} followers
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {r && r.sounds.length > 0 && (
        <section className="dv-section">
          {tab === 'all' && <h2 className="dv-h2">Sounds</h2>}
          <ul className="dv-people" data-testid="search-sounds">
            {r.sounds.map((x) => (
              <li key={x.id}>
                <Link to={soundPath(x.id)} from="search" className="dv-person">
                  <span className="dv-sound-icon" aria-hidden="true">
                    <NoteIcon />
                  </span>
                  <span className="dv-person-names">
                    <strong>{x.title}</strong>
                    <span className="dv-muted">
                      @{x.owner.username} · {formatCount(x.useCount)} {x.useCount === 1 ? 'video' : 'videos'}
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {r && r.videos.length > 0 && (
        <section className="dv-section">
          {tab === 'all' && <h2 className="dv-h2">Videos</h2>}
          <VideoTiles videos={r.videos} from="search" testId="search-videos" />
        </section>
      )}
    </div>
  );
}
