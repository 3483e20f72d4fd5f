import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { COUNTRY_CODES, type EngagementSettings, type SocialProfile, type UserList, type Video } from '@flick/contracts';
import { api, errorMessage } from '../api.ts';
import { rememberProfile } from '../follows.ts';
import { formatCount } from '../format.ts';
import { profilePath, videoPath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { EyeIcon, HeartIcon, LockIcon, MoreIcon } from './icons.tsx';
import { Link } from './link.tsx';
import { Sheet } from './sheet.tsx';
import { Spinner } from './states.tsx';
import { showToast } from './toast.tsx';
import '../styles/engagement.css';

type ListKind = 'followers' | 'following' | 'requests' | 'blocks';

/** Followers, following, follow requests (with approve/decline) or blocked users, paged. */
function UserListSheet({ kind, username, onClose, onChanged }: { kind: ListKind; username: string; onClose: () => void; onChanged?: () => void }) {
  const [items, setItems] = useState<UserList['items']>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (cursor?: string) => {
      setLoading(true);
      const q = { limit: 30, cursor };
      const p =
        kind === 'followers'
          ? api.call('followers', { params: { username }, query: q })
          : kind === 'following'
            ? api.call('followingList', { params: { username }, query: q })
            : kind === 'requests'
              ? api.call('followRequests', { query: q })
              : api.call('blockedUsers', { query: q });
      p.then(
        (r) => {
          setItems((prev) => (cursor ? [...prev, ...r.items] : r.items));
          setNext(r.nextCursor);
          setLoading(false);
        },
        (err: unknown) => {
          setError(errorMessage(err));
          setLoading(false);
        },
      );
    },
    [kind, username],
  );
  useEffect(() => load(), [load]);
  const act = (name: string, p: Promise<unknown>, done: string) =>
    p.then(
      () => {
        setItems((prev) => prev.filter((u) => u.username !== name));
        showToast(done);
        onChanged?.();
      },
      (err: unknown) => showToast(errorMessage(err)),
    );
  const title = { followers: 'Followers', following: 'Following', requests: 'Follow requests', blocks: 'Blocked accounts' }[kind];
  return (
    <Sheet title={title} onClose={onClose} testId={`list-${kind}`}>
      <ul className="user-list">
        {items.map((u) => (
          <li key={u.id} className="user-row" data-testid="user-row">
            <Link to={profilePath(u.username)} className="user-row-link" onClick={onClose}>
              <Avatar user={u} size={40} />
              <span className="user-row-names">
                <strong>{u.displayName}</strong>
                <span>@{u.username}</span>
              </span>
            </Link>
            {kind === 'requests' && (
              <span className="user-row-actions">
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  data-testid="approve-request"
                  onClick={() => void act(u.username, api.call('approveFollowRequest', { params: { username: u.username } }), 'Approved')}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  data-testid="decline-request"
                  onClick={() => void act(u.username, api.call('declineFollowRequest', { params: { username: u.username } }), 'Declined')}
                >
                  Decline
                </button>
              </span>
            )}
            {kind === 'blocks' && (
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => void act(u.username, api.call('unblock', { params: { username: u.username } }), 'Unblocked')}
              >
                Unblock
              </button>
            )}
          </li>
        ))}
      </ul>
      {loading && <Spinner />}
      {!loading && error && <p className="comments-empty">{error}</p>}
      {!loading && !error && items.length === 0 && <p className="comments-empty">Nobody here yet.</p>}
      {!loading && next && (
        <button type="button" className="comment-more" onClick={() => load(next)}>
          More
        </button>
      )}
    </Sheet>
  );
}

/** Country codes with their names in the viewer's language, by name. */
function useCountryOptions() {
  return useMemo(() => {
    const names = new Intl.DisplayNames(undefined, { type: 'region' });
    const name = (c: string) => {
      try {
        return names.of(c) ?? c;
      } catch {
        return c;
      }
    };
    return COUNTRY_CODES.map((code) => ({ code, name: name(code) })).sort((a, b) => a.name.localeCompare(b.name));
  }, []);
}

/** Privacy and comment controls for the signed-in user. */
function PrivacySheet({ onClose, onChanged }: { onClose: () => void; onChanged: (s: EngagementSettings) => void }) {
  const [s, setS] = useState<EngagementSettings | null>(null);
  const [filter, setFilter] = useState('');
  const [list, setList] = useState<ListKind | null>(null);
  const countries = useCountryOptions();
  useEffect(() => {
    api.call('engagementSettings').then(
      (r) => {
        setS(r);
        setFilter(r.commentFilter.join(', '));
      },
      (err: unknown) => showToast(errorMessage(err)),
    );
  }, []);
  const save = (patch: Partial<EngagementSettings>) =>
    api.call('updateEngagementSettings', { body: patch }).then(
      (r) => {
        setS(r);
        onChanged(r);
      },
      (err: unknown) => showToast(errorMessage(err)),
    );
  return (
    <Sheet title="Privacy" onClose={onClose} testId="privacy-sheet">
      {!s ? (
        <Spinner />
      ) : (
        <div className="privacy">
          <label className="privacy-row">
            <span>
              <strong>Private account</strong>
              <small>Only followers you approve see your videos and lists.</small>
            </span>
            <input type="checkbox" data-testid="toggle-private" checked={s.isPrivate} onChange={(e) => void save({ isPrivate: e.target.checked })} />
          </label>
          <label className="privacy-row">
            <span>
              <strong>Show my liked videos</strong>
              <small>A “Liked” tab on your profile.</small>
            </span>
            <input type="checkbox" data-testid="toggle-likes-public" checked={s.likesPublic} onChange={(e) => void save({ likesPublic: e.target.checked })} />
          </label>
          <label className="privacy-row">
            <span>
              <strong>Who can comment</strong>
            </span>
            <select
              data-testid="comment-policy"
              value={s.commentPolicy}
              onChange={(e) => void save({ commentPolicy: e.target.value as EngagementSettings['commentPolicy'] })}
            >
              <option value="everyone">Everyone</option>
              <option value="followers">Followers</option>
              <option value="off">No one</option>
            </select>
          </label>
          <label className="privacy-row">
            <span>
              <strong>Country or region</strong>
              <small>Optional. Creators only see how many of their viewers are from each country.</small>
            </span>
            <select data-testid="country" value={s.country ?? ''} onChange={(e) => void save({ country: e.target.value || null })}>
              <option value="">Not set</option>
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <form
            className="privacy-filter"
            onSubmit={(e) => {
              e.preventDefault();
              void save({
                commentFilter: filter
                  .split(',')
                  .map((w) => w.trim())
                  .filter(Boolean),
              }).then(() => showToast('Filter saved'));
            }}
          >
            <label>
              <strong>Hide comments with these words</strong>
              <input value={filter} placeholder="comma, separated, words" data-testid="comment-filter" onChange={(e) => setFilter(e.target.value)} />
            </label>
            <button type="submit" className="btn btn-secondary btn-small">
              Save filter
            </button>
          </form>
          <div className="privacy-links">
            <button type="button" className="btn btn-secondary btn-small" data-testid="open-requests" onClick={() => setList('requests')}>
              Follow requests
            </button>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setList('blocks')}>
              Blocked accounts
            </button>
          </div>
        </div>
      )}
      {list && <UserListSheet kind={list} username="" onClose={() => setList(null)} />}
    </Sheet>
  );
}

/** Block / mute for another user's profile. */
function ProfileMenu({ profile, onProfile, onClose }: { profile: SocialProfile; onProfile: (p: SocialProfile) => void; onClose: () => void }) {
  const run = (p: Promise<SocialProfile>, done: string) =>
    p.then(
      (next) => {
        // A block also ends following: every Follow button learns it.
        rememberProfile(next);
        onProfile(next);
        showToast(done);
        onClose();
      },
      (err: unknown) => showToast(errorMessage(err)),
    );
  const username = profile.username;
  return (
    <Sheet title={`@${username}`} onClose={onClose} testId="profile-menu">
      <div className="collections">
        <button
          type="button"
          className="collection-row"
          data-testid="toggle-mute"
          onClick={() =>
            void run(
              api.call(profile.muted ? 'unmute' : 'mute', { params: { username } }),
              profile.muted ? 'Unmuted' : 'Muted: their videos stay out of your feeds',
            )
          }
        >
          {profile.muted ? 'Unmute' : 'Mute'}
        </button>
        <button
          type="button"
          className="collection-row is-danger"
          data-testid="toggle-block"
          onClick={() => {
            if (!profile.blocked && !confirm(`Block @${username}? They won't be able to find your profile, videos or comments.`)) return;
            void run(api.call(profile.blocked ? 'unblock' : 'block', { params: { username } }), profile.blocked ? 'Unblocked' : 'Blocked');
          }}
        >
          {profile.blocked ? 'Unblock' : 'Block'}
        </button>
      </div>
    </Sheet>
  );
}

/** Under the profile header: follower/following lists, privacy (mine) or block/mute (theirs), and status lines. */
export function ProfileSocial({ profile, isMe, onProfile }: { profile: SocialProfile; isMe: boolean; onProfile: (p: SocialProfile) => void }) {
  const [list, setList] = useState<ListKind | null>(null);
  const [privacy, setPrivacy] = useState(false);
  const [menu, setMenu] = useState(false);
  const canList = isMe || profile.canSeeVideos;
  return (
    <div className="profile-social">
      <div className="profile-social-row">
        <button type="button" className="btn btn-ghost btn-small" data-testid="open-followers" disabled={!canList} onClick={() => setList('followers')}>
          Followers
        </button>
        <button type="button" className="btn btn-ghost btn-small" data-testid="open-following" disabled={!canList} onClick={() => setList('following')}>
          Following
        </button>
        {isMe ? (
          <button type="button" className="btn btn-ghost btn-small" data-testid="open-privacy" onClick={() => setPrivacy(true)}>
            {profile.isPrivate && <LockIcon width={14} height={14} />} Privacy
          </button>
        ) : (
          <button type="button" className="icon-btn" aria-label="More" data-testid="profile-more" onClick={() => setMenu(true)}>
            <MoreIcon />
          </button>
        )}
      </div>
      {!isMe && profile.requested && (
        <p className="profile-note" data-testid="follow-requested">
          Follow request sent
        </p>
      )}
      {!isMe && profile.followsYou && <p className="profile-note">Follows you</p>}
      {!isMe && profile.blocked && (
        <p className="profile-note is-warn" data-testid="blocked-note">
          You blocked @{profile.username}.
        </p>
      )}
      {!isMe && profile.muted && <p className="profile-note">Muted</p>}
      {list && <UserListSheet kind={list} username={profile.username} onClose={() => setList(null)} />}
      {privacy && (
        <PrivacySheet onClose={() => setPrivacy(false)} onChanged={(s) => onProfile({ ...profile, isPrivate: s.isPrivate, likesPublic: s.likesPublic })} />
      )}
      {menu && <ProfileMenu profile={profile} onProfile={onProfile} onClose={() => setMenu(false)} />}
    </div>
  );
}

function LikedGrid({ username }: { username: string }) {
  const [videos, setVideos] = useState<Video[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('likedVideos', { params: { username }, query: { limit: 30 } }).then(
      (r) => setVideos(r.items),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [username]);
  if (error) return <p className="comments-empty">{error}</p>;
  if (!videos) return <Spinner />;
  if (!videos.length) return <p className="comments-empty">No liked videos yet.</p>;
  return (
    <ul className="video-grid" data-testid="liked-grid">
      {videos.map((v) => (
        <li key={v.id} className="tile" data-video-id={v.id}>
          <Link to={videoPath(v.id)} from="profile" className="tile-link" aria-label={v.caption || 'Open video'}>
            {v.posterUrl ? (
              <img src={v.posterUrl} alt={v.caption || 'Video'} loading="lazy" decoding="async" />
            ) : (
              <span className="tile-blank" aria-hidden="true" />
            )}
            <span className="tile-views">
              <EyeIcon width={14} height={14} /> {formatCount(v.stats.views)}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** Videos | Liked tabs (Liked when it is mine or the user made likes public); a private account shows a lock to outsiders. */
export function ProfileTabs({ profile, isMe, videos }: { profile: SocialProfile; isMe: boolean; videos: ReactNode }) {
  const [tab, setTab] = useState<'videos' | 'liked'>('videos');
  if (!isMe && profile.blocked) return null;
  if (!isMe && !profile.canSeeVideos)
    return (
      <div className="grid-state" data-testid="private-account">
        <LockIcon />
        <p>This account is private. Follow it to see its videos.</p>
      </div>
    );
  const showLiked = isMe || profile.likesPublic;
  return (
    <>
      {showLiked && (
        <div className="profile-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'videos'} className={tab === 'videos' ? 'is-active' : ''} onClick={() => setTab('videos')}>
            Videos
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'liked'}
            className={tab === 'liked' ? 'is-active' : ''}
            data-testid="tab-liked"
            onClick={() => setTab('liked')}
          >
            <HeartIcon width={16} height={16} /> Liked
          </button>
        </div>
      )}
      {tab === 'liked' && showLiked ? <LikedGrid username={profile.username} /> : videos}
    </>
  );
}
