import { useCallback, useEffect, useState } from 'react';
import type { Video } from '@flick/contracts';
import { api, ApiError, errorMessage } from '../api.ts';
import { BackIcon, HashIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { VideoTiles } from '../components/video-tiles.tsx';
import { formatCount } from '../format.ts';
import { challengePath, goBack } from '../router.ts';
import '../styles/discovery.css';

type Head = { tag: string; videos: number; challenge: { slug: string; title: string; status: string } | null };

/** /tag/:name — a hashtag's videos, top or newest, and its challenge if it has one. */
export function TagPage({ tag }: { tag: string }) {
  const [head, setHead] = useState<Head | null>(null);
  const [error, setError] = useState<{ message: string; notFound: boolean } | null>(null);
  const [sort, setSort] = useState<'top' | 'new'>('top');
  const [videos, setVideos] = useState<Video[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    document.title = `#${tag} · Flick`;
    let cancelled = false;
    api.call('hashtag', { params: { tag } }).then(
      (h) => !cancelled && setHead(h),
      (err: unknown) => !cancelled && setError({ message: errorMessage(err), notFound: err instanceof ApiError && (err.status === 404 || err.status === 400) }),
    );
    return () => {
      cancelled = true;
    };
  }, [tag]);

  const load = useCallback(
    async (from: string | null, replace: boolean) => {
      setLoading(true);
      try {
        const page = await api.call('hashtagVideos', { params: { tag }, query: { sort, limit: 18, ...(from ? { cursor: from } : {}) } });
        setVideos((prev) => (replace ? page.items : [...prev, ...page.items]));
        setCursor(page.nextCursor);
      } catch (err) {
        setError({ message: errorMessage(err), notFound: false });
      } finally {
        setLoading(false);
      }
    },
    [tag, sort],
  );

  useEffect(() => {
    void load(null, true);
  }, [load]);

  if (error?.notFound)
    return (
      <div className="dv-page">
        <CenterState title="No such hashtag" icon={<HashIcon />}>
          <p>Nobody has posted with #{tag} yet.</p>
          <Link to="/discover" className="btn btn-primary">
            Discover
          </Link>
        </CenterState>
      </div>
    );

  return (
    <div className="dv-page" data-testid="tag-page">
      <header className="dv-header">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/discover')}>
          <BackIcon />
        </button>
        <div className="dv-title">
          <h1 data-testid="tag-title">#{tag}</h1>
          {head && <span className="dv-muted">{formatCount(head.videos)} videos</span>}
        </div>
      </header>
      {head?.challenge && (
        <Link to={challengePath(head.challenge.slug)} from="hashtag" className="dv-challenge-link" data-testid="tag-challenge">
          🏆 {head.challenge.title} <span className="dv-muted">· {head.challenge.status}</span>
        </Link>
      )}
      <div className="dv-tabs" role="tablist">
        {(['top', 'new'] as const).map((s) => (
          <button key={s} type="button" role="tab" aria-selected={sort === s} className={sort === s ? 'dv-tab is-active' : 'dv-tab'} onClick={() => setSort(s)}>
            {s === 'top' ? 'Top' : 'Newest'}
          </button>
        ))}
      </div>
      <VideoTiles videos={videos} from="hashtag" testId="tag-videos" />
      {error && <ErrorText message={error.message} />}
      <div className="dv-more">
        {loading ? (
          <Spinner />
        ) : (
          cursor && (
            <button type="button" className="btn btn-secondary" onClick={() => void load(cursor, false)}>
              Load more
            </button>
          )
        )}
      </div>
    </div>
  );
}
