import { useState } from 'react';
import type { Profile } from '@flick/contracts';
import { errorMessage, useMe } from '../api.ts';
import { setFollowing, useIsFollowing } from '../follows.ts';
import { loginPath, navigate } from '../router.ts';
import { showToast } from './toast.tsx';

export type FollowButtonProps = {
  username: string;
  /** Compact pill for the video overlay; the large one is for profiles. */
  variant?: 'pill' | 'large';
  /** Look up the follow state when unknown (e.g. only for items near the screen). */
  enabled?: boolean;
  /** Shown to signed-out viewers as a link to log in (profiles); hidden otherwise (overlay). */
  showSignedOut?: boolean;
  onProfile?: (profile: Profile) => void;
  /** After a successful follow (not an unfollow), e.g. to report it for the video it was pressed on. */
  onFollowed?: () => void;
};

export function FollowButton({ username, variant = 'pill', enabled = true, showSignedOut = false, onProfile, onFollowed }: FollowButtonProps) {
  const { me } = useMe();
  const isSelf = me !== null && me.username.toLowerCase() === username.toLowerCase();
  const following = useIsFollowing(username, enabled && me !== null && !isSelf);
  const [busy, setBusy] = useState(false);

  if (isSelf) return null;
  if (!me) {
    if (!showSignedOut) return null;
    return (
      <button type="button" data-testid="follow-button" className={`follow follow-${variant}`} onClick={() => navigate(loginPath(location.pathname))}>
        Follow
      </button>
    );
  }
  if (following === undefined) return null;

  const toggle = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const follow = !following;
      const profile = await setFollowing(username, follow);
      onProfile?.(profile);
      if (follow) onFollowed?.();
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <button
      type="button"
      data-testid="follow-button"
      data-following={following ? 'true' : 'false'}
      className={`follow follow-${variant}${following ? ' is-following' : ''}`}
      aria-pressed={following}
      disabled={busy}
      onClick={(e) => {
        e.stopPropagation();
        void toggle();
      }}
    >
      {following ? 'Following' : 'Follow'}
    </button>
  );
}
