import { useState } from 'react';
import { useMe } from '../api.ts';
import { track, type FeedSource } from '../events.ts';
import { toggleLiked, useLiked } from '../likes.ts';
import { HeartIcon } from './icons.tsx';
import { promptLogin } from './login-prompt.tsx';

/** The heart on the action rail: toggles on this device and reports 'like' / 'unlike'. */
export function LikeButton({ videoId, feed }: { videoId: string; feed: FeedSource }) {
  const { me } = useMe();
  const liked = useLiked(videoId);
  /** Bumped on each like so the pop animation restarts. */
  const [pops, setPops] = useState(0);

  const toggle = () => {
    if (!me) {
      promptLogin('Log in to like videos. Flick learns what you enjoy and shows you more of it.');
      return;
    }
    const now = toggleLiked(videoId);
    track({ type: now ? 'like' : 'unlike', videoId, feed });
    if (now) setPops((n) => n + 1);
  };

  return (
    <button
      type="button"
      className={liked ? 'rail-item rail-like is-liked' : 'rail-item rail-like'}
      data-testid="like-button"
      data-liked={liked ? 'true' : 'false'}
      aria-pressed={liked}
      aria-label={liked ? 'Unlike' : 'Like'}
      onClick={(e) => {
        e.stopPropagation();
        toggle();
      }}
    >
      <span key={pops} className={pops > 0 && liked ? 'rail-icon is-popping' : 'rail-icon'}>
        <HeartIcon fill={liked ? 'currentColor' : 'none'} />
      </span>
      <span className="rail-label">{liked ? 'Liked' : 'Like'}</span>
    </button>
  );
}
