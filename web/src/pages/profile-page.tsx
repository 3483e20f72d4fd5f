import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Profile, SocialProfile, Video } from '@flick/contracts';
import { api, ApiError, errorMessage, setMe, useMe } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { FollowButton } from '../components/follow-button.tsx';
import { BackIcon, CloseIcon, EyeIcon, LockIcon, RetryIcon, TrashIcon, UserIcon, VideoIcon } from '../components/icons.tsx';
import { PromotePanel } from '../components/promote-panel.tsx';
import { Link } from '../components/link.tsx';
import { ProfileSocial, ProfileTabs } from '../components/profile-social.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { rememberProfile } from '../follows.ts';
import { formatCount, formatDuration, plural } from '../format.ts';
import { goBack, navigate, videoPath } from '../router.ts';
import { resetFeeds } from './feed-page.tsx';

const PAGE_SIZE = 18;

type ProfileState = { status: 'loading' } | { status: 'ready'; profile: SocialProfile } | { status: 'error'; message: string; notFound: boolean };

export function ProfilePage({ username }: { username: string }) {
  const { me } = useMe();
  const [state, setState] = useState<ProfileState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });
    api.call('profile', { params: { username } }).then(
      (profile) => {
        if (cancelled) return;
        rememberProfile(profile);
        setState({ status: 'ready', profile });
      },
      (err: unknown) => {
        if (cancelled) return;
        const notFound = err instanceof ApiError && err.status === 404;
        setState({ status: 'error', message: notFound ? `@${username} doesn't exist, or the account is gone.` : errorMessage(err), notFound });
      },
    );
    return () => {
      cancelled = true;
    };
    // me?.id: isMe / isFollowing depend on who is looking
  }, [username, attempt, me?.id]);

  useEffect(() => {
    document.title = state.status === 'ready' ? `${state.profile.displayName} (@${state.profile.username}) · Flick` : `@${username} · Flick`;
  }, [state, username]);

  // The follow and social routes answer with the full social profile.
  const onProfile = useCallback((profile: Profile | SocialProfile) => setState({ status: 'ready', profile: profile as SocialProfile }), []);

  if (state.status === 'loading')
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (state.status === 'error')
    return (
      <div className="page page-center">
        <CenterState title={state.notFound ? 'User not found' : "Couldn't load this profile"} tone="error" icon={<UserIcon />}>
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
    );

  const { profile } = state;
  const isMe = profile.isMe || (me !== null && me.id === profile.id);

  const logout = async () => {
    try {
      await api.call('logout');
    } catch (err) {
      showToast(errorMessage(err));
      return;
    }
    setMe(null);
    resetFeeds();
    navigate('/');
  };

  return (
    <div className="page profile-page">
      <header className="profile-topbar">
        <button type="button" className="icon-btn" aria-label="Back" onClick={() => goBack('/')}>
          <BackIcon />
        </button>
        <span className="profile-topbar-name">@{profile.username}</span>
        {isMe ? (
          <button type="button" className="btn btn-ghost btn-small" data-testid="logout" onClick={() => void logout()}>
            Log out
          </button>
        ) : (
          <span className="icon-btn-spacer" />
        )}
      </header>

      <section className="profile-head">
        <Avatar user={profile} size={96} className="profile-avatar" />
        <h1 className="profile-name" data-testid="profile-name">
          {profile.displayName}
        </h1>
        <p className="profile-username">@{profile.username}</p>
        <dl className="profile-counts">
          <div>
            <dt>{plural(profile.following, 'Following', 'Following')}</dt>
            <dd data-testid="count-following">{formatCount(profile.following)}</dd>
          </div>
          <div>
            <dt>{plural(profile.followers, 'Follower')}</dt>
            <dd data-testid="count-followers">{formatCount(profile.followers)}</dd>
          </div>
          <div>
            <dt>{plural(profile.videos, 'Video')}</dt>
            <dd data-testid="count-videos">{formatCount(profile.videos)}</dd>
          </div>
        </dl>
        <div className={isMe ? 'profile-actions is-me' : 'profile-actions'}>
          {isMe ? (
            <>
              <button type="button" className="btn btn-secondary" data-testid="edit-profile" onClick={() => setEditing(true)}>
                Edit profile
              </button>
              <ResetFeedButton />
            </>
          ) : (
            <FollowButton username={profile.username} variant="large" showSignedOut onProfile={onProfile} />
          )}
        </div>
        {profile.bio && <p className="profile-bio">{profile.bio}</p>}
        <ProfileSocial profile={profile} isMe={isMe} onProfile={onProfile} />
      </section>

      <ProfileTabs
        key={`tabs:${profile.username}:${isMe ? 'me' : 'other'}`}
        profile={profile}
        isMe={isMe}
        videos={<VideoGrid key={`${profile.username}:${isMe ? 'me' : 'other'}`} username={profile.username} isMe={isMe} />}
      />

      {editing && (
        <EditProfileSheet
          onClose={() => setEditing(false)}
          onSaved={(next) => {
            setState({ status: 'ready', profile: { ...profile, displayName: next.displayName, bio: next.bio, avatarUrl: next.avatarUrl } });
          }}
        />
      )}
    </div>
  );
}

/** "Refresh my For You": the recommender forgets what it learned about me (after a confirm). */
function ResetFeedButton() {
  const [busy, setBusy] = useState(false);
  const reset = async () => {
    if (
      !window.confirm(
        'Refresh your For You?\n\nFlick will forget what it has learned about your tastes, including creators and hashtags you hid. Your likes, follows and videos stay.',
      )
    )
      return;
    setBusy(true);
    try {
      await api.call('resetFeed');
      resetFeeds();
      showToast('Your For You has been refreshed');
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn btn-secondary" data-testid="reset-feed" disabled={busy} onClick={() => void reset()}>
      <RetryIcon width={16} height={16} /> {busy ? 'Refreshing…' : 'Refresh my For You'}
    </button>
  );
}

function VideoGrid({ username, isMe }: { username: string; isMe: boolean }) {
  const [videos, setVideos] = useState<Video[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);

  const fetchPage = useCallback(
    (after: string | undefined) =>
      isMe
        ? api.call('myVideos', { query: { limit: PAGE_SIZE, cursor: after } })
        : api.call('userVideos', { params: { username }, query: { limit: PAGE_SIZE, cursor: after } }),
    [isMe, username],
  );

  const loadMore = useCallback(async () => {
    if (busy.current || cursor === null) return;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(cursor);
      setVideos((prev) => {
        const seen = new Set(prev.map((v) => v.id));
        return [...prev, ...page.items.filter((v) => !seen.has(v.id))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(errorMessage(err, "Couldn't load videos."));
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [cursor, fetchPage]);

  useEffect(() => {
    if (cursor === undefined && !error) void loadMore();
  }, [cursor, error, loadMore]);

  // Infinite scroll.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || cursor === null || cursor === undefined) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [cursor, loadMore]);

  // My processing videos: refresh them until they settle.
  const processingIds = videos.filter((v) => v.status === 'processing' || (v.status === 'ready' && v.phase !== 'ready')).map((v) => v.id);
  const processingKey = processingIds.join(',');
  useEffect(() => {
    if (!isMe || !processingKey) return;
    const ids = processingKey.split(',');
    const timer = setInterval(() => {
      void Promise.all(ids.map((id) => api.call('video', { params: { id } }).catch(() => null))).then((fresh) => {
        const byId = new Map(fresh.filter((v): v is Video => v !== null).map((v) => [v.id, v]));
        setVideos((prev) => prev.map((v) => byId.get(v.id) ?? v));
      });
    }, 2000);
    return () => clearInterval(timer);
  }, [isMe, processingKey]);

  const replace = (video: Video) => setVideos((prev) => prev.map((v) => (v.id === video.id ? video : v)));
  const remove = (id: string) => setVideos((prev) => prev.filter((v) => v.id !== id));

  if (videos.length === 0) {
    if (error)
      return (
        <div className="grid-state" data-testid="profile-grid" data-state="error">
          <ErrorText message={error} />
          <button type="button" className="btn btn-secondary" onClick={() => void loadMore()}>
            Try again
          </button>
        </div>
      );
    if (cursor === null)
      return (
        <div className="grid-state" data-testid="profile-grid" data-state="empty">
          <VideoIcon width={32} height={32} />
          <p>{isMe ? 'Your videos will appear here.' : 'No videos yet.'}</p>
          {isMe && (
            <Link to="/upload" className="btn btn-primary">
              Upload your first video
            </Link>
          )}
        </div>
      );
    return (
      <div className="grid-state" data-testid="profile-grid" data-state="loading">
        <Spinner />
      </div>
    );
  }

  return (
    <>
      <ul className="video-grid" data-testid="profile-grid" data-state="ready">
        {videos.map((v) => (
          <GridTile key={v.id} video={v} isMe={isMe} onChange={replace} onDelete={remove} />
        ))}
      </ul>
      <div ref={sentinel} className="grid-sentinel">
        {loading && <Spinner />}
        {error && <ErrorText message={error} />}
      </div>
    </>
  );
}

function GridTile({ video, isMe, onChange, onDelete }: { video: Video; isMe: boolean; onChange: (v: Video) => void; onDelete: (id: string) => void }) {
  const [busy, setBusy] = useState(false);
  const playable = video.status === 'ready' && Boolean(video.hlsUrl);

  const retry = async () => {
    setBusy(true);
    try {
      onChange(await api.call('retryVideo', { params: { id: video.id } }));
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const del = async () => {
    if (!window.confirm('Delete this video? This cannot be undone.')) return;
    setBusy(true);
    try {
      await api.call('deleteVideo', { params: { id: video.id } });
      onDelete(video.id);
      showToast('Video deleted');
    } catch (err) {
      showToast(errorMessage(err));
      setBusy(false);
    }
  };

  const inner = (
    <>
      {video.posterUrl ? (
        <img src={video.posterUrl} alt={video.caption || 'Video'} loading="lazy" decoding="async" />
      ) : (
        <span className="tile-blank" aria-hidden="true" />
      )}
      {playable && (
        <span className="tile-views">
          <EyeIcon width={14} height={14} /> {formatCount(video.stats.views)}
        </span>
      )}
      {playable && video.durationMs ? <span className="tile-duration">{formatDuration(video.durationMs)}</span> : null}
      {video.visibility !== 'public' && (
        <span className="tile-lock" title={video.visibility === 'private' ? 'Only you' : 'Followers only'}>
          <LockIcon width={13} height={13} />
        </span>
      )}
    </>
  );

  return (
    <li className="tile" data-video-id={video.id} data-status={video.status} data-phase={video.phase}>
      {playable ? (
        <Link to={videoPath(video.id)} from="profile" className="tile-link" aria-label={video.caption || 'Open video'}>
          {inner}
        </Link>
      ) : (
        <div className="tile-link">{inner}</div>
      )}
      {video.status === 'processing' && (
        <div className="tile-badge" data-testid="video-status">
          <span className="spinner spinner-small" aria-hidden="true" />
          <span>Processing {video.progress}%</span>
          <span className="tile-bar">
            <span style={{ width: `${video.progress}%` }} />
          </span>
        </div>
      )}
      {video.status === 'failed' && (
        <div className="tile-badge is-failed" data-testid="video-status">
          <strong>Failed</strong>
          {video.error && <span className="tile-error">{video.error}</span>}
          <button type="button" className="btn btn-small btn-primary" disabled={busy} data-testid="video-retry" onClick={() => void retry()}>
            <RetryIcon width={14} height={14} /> Retry
          </button>
        </div>
      )}
      {isMe && playable && <PromotePanel video={video} onTile />}
      {isMe && (
        <button type="button" className="tile-delete" aria-label="Delete video" data-testid="video-delete" disabled={busy} onClick={() => void del()}>
          <TrashIcon width={16} height={16} />
        </button>
      )}
    </li>
  );
}

function EditProfileSheet({
  onClose,
  onSaved,
}: {
  onClose: () => void;
  onSaved: (me: { displayName: string; bio: string; avatarUrl: string | null }) => void;
}) {
  const { me } = useMe();
  const [displayName, setDisplayName] = useState(me?.displayName ?? '');
  const [bio, setBio] = useState(me?.bio ?? '');
  const [avatar, setAvatar] = useState<File | null>(null);
  const [avatarPreview, setAvatarPreview] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { name: useId(), bio: useId(), avatar: useId() };

  useEffect(() => {
    if (!avatar) return;
    const url = URL.createObjectURL(avatar);
    setAvatarPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [avatar]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  if (!me) return null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      let next = me;
      if (avatar) {
        const form = new FormData();
        form.append('file', avatar);
        next = await api.call('uploadAvatar', { form });
      }
      const patch: { displayName?: string; bio?: string } = {};
      if (displayName.trim() !== next.displayName) patch.displayName = displayName.trim();
      if (bio !== next.bio) patch.bio = bio;
      if (Object.keys(patch).length > 0) next = await api.call('updateMe', { body: patch });
      setMe(next);
      onSaved(next);
      showToast('Profile saved');
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <form
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids.name}-title`}
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => void save(e)}
      >
        <header className="sheet-header">
          <h2 id={`${ids.name}-title`}>Edit profile</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        <label className="avatar-picker" htmlFor={ids.avatar}>
          {avatarPreview ? <img className="avatar" src={avatarPreview} alt="New avatar" style={{ width: 88, height: 88 }} /> : <Avatar user={me} size={88} />}
          <span className="avatar-picker-label">Change photo</span>
          <input
            id={ids.avatar}
            data-testid="avatar-file"
            type="file"
            accept="image/*"
            className="visually-hidden"
            onChange={(e) => setAvatar(e.target.files?.[0] ?? null)}
          />
        </label>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} data-testid="edit-display-name" value={displayName} maxLength={50} required onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.bio}>Bio</label>
          <textarea
            id={ids.bio}
            data-testid="edit-bio"
            value={bio}
            maxLength={300}
            rows={3}
            placeholder="Tell people about yourself"
            onChange={(e) => setBio(e.target.value)}
          />
          <div className="counter">{bio.length}/300</div>
        </div>
        <ErrorText message={error} />
        <button type="submit" className="btn btn-primary btn-block" data-testid="edit-save" disabled={saving || !displayName.trim()}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </form>
    </div>
  );
}
