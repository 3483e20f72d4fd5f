import { useEffect, useState } from 'react';
import type { Video } from '@flick/contracts';
import { api, ApiError, errorMessage } from '../api.ts';
import { BackIcon, VideoIcon } from '../components/icons.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { Link } from '../components/link.tsx';
import { VideoCard } from '../components/video-card.tsx';
import { LineagePanel } from '../studio/lineage-panel.tsx';
import { PromotePanel } from '../components/promote-panel.tsx';
import type { FeedSource } from '../events.ts';
import { goBack, navigationFrom } from '../router.ts';

type State = { status: 'loading' } | { status: 'ready'; video: Video } | { status: 'error'; message: string; notFound: boolean };

/** /v/:id — one video with the feed's player. */
export function VideoPage({ id }: { id: string }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The traffic source for creator analytics: the in-app page it was opened from, a share link (?src=share), else "direct".
  const [feed] = useState<FeedSource>(() => {
    const from = navigationFrom();
    if (from === 'profile' || from === 'search' || from === 'hashtag' || from === 'challenge' || from === 'discover') return from;
    return new URLSearchParams(location.search).get('src') === 'share' ? 'share' : 'direct';
  });

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const video = await api.call('video', { params: { id } });
        if (cancelled) return;
        setState({ status: 'ready', video });
        // Still processing (no playable rendition yet): check again shortly.
        if (video.status === 'processing' && !video.hlsUrl) timer = setTimeout(() => void load(), 2000);
      } catch (err) {
        if (cancelled) return;
        const notFound = err instanceof ApiError && (err.status === 404 || err.status === 400);
        setState({ status: 'error', message: notFound ? 'This video is unavailable. It may have been deleted or made private.' : errorMessage(err), notFound });
      }
    };
    setState({ status: 'loading' });
    void load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [id, attempt]);

  useEffect(() => {
    if (state.status === 'ready') document.title = `@${state.video.author.username} on Flick`;
  }, [state]);

  return (
    <div className="video-page">
      <button type="button" className="icon-btn back-btn" aria-label="Back" onClick={() => goBack('/')}>
        <BackIcon />
      </button>
      {state.status === 'loading' && (
        <div className="feed-placeholder">
          <Spinner />
        </div>
      )}
      {state.status === 'error' && (
        <div className="feed-placeholder">
          <CenterState title={state.notFound ? 'Video not found' : "Couldn't load this video"} tone="error" icon={<VideoIcon />}>
            <p>{state.message}</p>
            {state.notFound ? (
              <Link to="/" className="btn btn-primary">
                Back to For You
              </Link>
            ) : (
              <button type="button" className="btn btn-primary" onClick={() => setAttempt((a) => a + 1)}>
                Try again
              </button>
            )}
          </CenterState>
        </div>
      )}
      {state.status === 'ready' && state.video.status === 'failed' && (
        <div className="feed-placeholder">
          <CenterState title="This video failed to process" tone="error" icon={<VideoIcon />}>
            <p>{state.video.error ?? 'The file could not be converted.'}</p>
          </CenterState>
        </div>
      )}
      {state.status === 'ready' && state.video.status !== 'failed' && !state.video.hlsUrl && (
        <div className="feed-placeholder">
          <CenterState title="Almost ready" icon={<Spinner />}>
            <p>This video is still processing ({state.video.progress}%).</p>
          </CenterState>
        </div>
      )}
      {state.status === 'ready' && state.video.hlsUrl && (
        <div className="single-video" data-video-id={state.video.id}>
          <VideoCard video={state.video} active attach mounted feed={feed} />
          <LineagePanel videoId={state.video.id} />
          <PromotePanel video={state.video} />
        </div>
      )}
    </div>
  );
}
