import { useEffect, useState } from 'react';
import type { Discover } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { NoteIcon } from '../components/discovery-icons.tsx';
import { FollowButton } from '../components/follow-button.tsx';
import { Link } from '../components/link.tsx';
import { SearchBox } from '../components/search-box.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { VideoTiles } from '../components/video-tiles.tsx';
import { formatCount } from '../format.ts';
import { challengePath, profilePath, soundPath, tagPath } from '../router.ts';
import '../styles/discovery.css';

const isStaff = (roles: readonly string[]) => roles.includes('admin') || roles.includes('moderator');

/** /discover — search, featured challenges, trending hashtags with their top videos, trending sounds, creators to follow. */
export function DiscoverPage() {
  const { me } = useMe();
  const [data, setData] = useState<Discover | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Discover · Flick';
    let cancelled = false;
    api.call('discover').then(
      (d) => !cancelled && setData(d),
      (err: unknown) => !cancelled && setError(errorMessage(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [me?.id]);

  return (
    <div className="dv-page" data-testid="discover-page">
      <header className="dv-header">
        <SearchBox />
      </header>
      {me && (
        <nav className="dv-links">
          <Link to="/analytics">Creator analytics</Link>
          {isStaff(me.roles) && <Link to="/staff/challenges">Manage challenges</Link>}
          {!me.isMinor && (
            <Link to="/ads" data-testid="ads-manager-link">
              Ads manager
            </Link>
          )}
          {isStaff(me.roles) && <Link to="/staff/ads">Review ads</Link>}
        </nav>
      )}
      {error && <ErrorText message={error} />}
      {!data && !error && <Spinner />}
      {data && data.challenges.length > 0 && (
        <section className="dv-section">
          <h2 className="dv-h2">Challenges</h2>
          <ul className="dv-cards" data-testid="discover-challenges">
            {data.challenges.map((c) => (
              <li key={c.id}>
                <Link
                  to={challengePath(c.slug)}
                  from="discover"
                  className="dv-card"
                  style={c.bannerUrl ? { backgroundImage: `url("${encodeURI(c.bannerUrl)}")` } : undefined}
                >
                  <span className="dv-card-title">{c.title}</span>
                  <span className="dv-card-sub">
                    #{c.hashtag} · {c.status === 'active' ? 'Live' : c.status === 'upcoming' ? 'Upcoming' : 'Ended'}
                    {c.featured ? ' · Featured' : ''}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && (
        <section className="dv-section">
          <h2 className="dv-h2">Trending hashtags</h2>
          {data.hashtags.length === 0 && <p className="dv-muted dv-pad">Nothing is trending right now.</p>}
          {data.hashtags.map((h, i) => (
            <div key={h.tag} className="dv-trend" data-testid="trending-hashtag">
              <Link to={tagPath(h.tag)} from="discover" className="dv-trend-head">
                <span className="dv-trend-rank">{i + 1}</span>
                <span className="dv-trend-tag">#{h.tag}</span>
                <span className="dv-muted">
                  {formatCount(h.people)} people · {formatCount(h.videos)} videos
                </span>
              </Link>
              <VideoTiles videos={h.topVideos} from="hashtag" />
            </div>
          ))}
        </section>
      )}
      {data && data.sounds.length > 0 && (
        <section className="dv-section">
          <h2 className="dv-h2">Trending sounds</h2>
          <ul className="dv-people" data-testid="trending-sounds">
            {data.sounds.map((t, i) => (
              <li key={t.sound.id}>
                <Link to={soundPath(t.sound.id)} from="discover" className="dv-person" data-testid="trending-sound">
                  <span className="dv-trend-rank">{i + 1}</span>
                  <span className="dv-sound-icon" aria-hidden="true">
                    <NoteIcon />
                  </span>
                  <span className="dv-person-names">
                    <strong>{t.sound.title}</strong>
                    <span className="dv-muted">
                      @{t.sound.owner.username} · {formatCount(t.people)} people · {formatCount(t.videos)} videos
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && data.creators.length > 0 && (
        <section className="dv-section">
          <h2 className="dv-h2">Creators to follow</h2>
          <ul className="dv-people" data-testid="suggested-creators">
            {data.creators.map((u) => (
              <li key={u.id} className="dv-person-row">
                <Link to={profilePath(u.username)} from="discover" className="dv-person">
                  <Avatar user={u} size={44} />
                  <span className="dv-person-names">
                    <strong>@{u.username}</strong>
                    <span className="dv-muted">
                      {formatCount(u.followers)} followers · {formatCount(u.videos)} videos
                    </span>
                  </span>
                </Link>
                <FollowButton username={u.username} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && data.hashtags.length === 0 && data.sounds.length === 0 && data.creators.length === 0 && data.challenges.length === 0 && (
        <CenterState title="Nothing here yet">Once people post and watch, trends show up here.</CenterState>
      )}
    </div>
  );
}
