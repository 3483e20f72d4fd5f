import { useState } from 'react';
import { errorMessage, useMe } from '../api.ts';
import type { FeedSource } from '../events.ts';
import { formatCount } from '../format.ts';
import { toggleLiked, useEngagement } from '../likes.ts';
import { HeartIcon } from './icons.tsx';
import { promptLogin } from './login-prompt.tsx';
import { showToast } from './toast.tsx';

/** The heart on the action rail: likes through the API (which also tells the recommender) and shows the count. */
export function LikeButton({ videoId, enabled = true }: { videoId: string; feed?: FeedSource; enabled?: boolean }) {
  const { me } = useMe();
  const state = useEngagement(videoId, enabled);
  const liked = !!me && !!state?.liked;
  /** Bumped on each like so the pop animation restarts. */
  const [pops, setPops] = useState(0);

  const toggle = () => {
    if (!me) {
      promptLogin('Log in to like videos. Flick learns what you enjoy and shows you more of it.');
      return;
    }
    if (!liked) setPops((n) => n + 1);
    toggleLiked(videoId).catch((err: unknown) => showToast(errorMessage(err)));
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
      <span className="rail-label" data-testid="like-count">
        {state ? formatCount(state.likes) : liked ? 'Liked' : 'Like'}
      </span>
    </button>
  );
}
