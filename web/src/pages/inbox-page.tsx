import { useCallback, useEffect, useState } from 'react';
import type { NotificationGroup } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Avatar } from '../components/avatar.tsx';
import { BellIcon } from '../components/engagement-icons.tsx';
import { timeAgo } from '../components/comments-sheet.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { markAllRead, onNotification } from '../notifications.ts';
import { loginPath, profilePath, videoPath } from '../router.ts';
import '../styles/engagement.css';

/** "Ana", "Ana and Bo", "Ana and 12 others". */
function who(g: NotificationGroup): string {
  const names = g.actors.map((a) => a.displayName || a.username);
  if (!names.length) return 'Flick';
  if (g.actorCount <= 1) return names[0]!;
  if (g.actorCount === 2 && names[1]) return `${names[0]} and ${names[1]}`;
  const others = g.actorCount - 1;
  return `${names[0]} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

function what(g: NotificationGroup): string {
  switch (g.type) {
    case 'like':
      return 'liked your video';
    case 'comment':
      return 'commented:';
    case 'reply':
      return 'replied to your comment:';
    case 'mention':
      return 'mentioned you:';
    case 'comment_like':
      return g.actorCount > 1 ? 'liked your comment' : 'liked your comment';
    case 'follow':
      return 'started following you';
    case 'follow_request':
      return g.actorCount > 1 ? 'want to follow you' : 'wants to follow you';
    case 'follow_accepted':
      return 'accepted your follow request';
    case 'gift':
      // The wallet's notice carries its own wording ("sent a rose (+10 diamonds)").
      return g.text ? '' : 'sent you a gift';
    case 'moderation':
      return 'Moderation notice:';
    case 'system':
      return '';
  }
}

function target(g: NotificationGroup, me: string): string {
  if (g.videoId) return videoPath(g.videoId);
  if (g.type === 'follow_request') return profilePath(me);
  const actor = g.actors[0];
  return actor ? profilePath(actor.username) : '/inbox';
}

export function InboxPage() {
  const { me, loading: meLoading } = useMe();
  const [items, setItems] = useState<NotificationGroup[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback((cursor?: string) => {
    setLoading(true);
    api.call('notifications', { query: { limit: 30, cursor } }).then(
      (r) => {
        setItems((prev) => (cursor ? [...prev, ...r.items] : r.items));
        setNext(r.nextCursor);
        setLoading(false);
        setError(null);
        // Seen on screen: read (the unread styling stays until the next visit).
        if (!cursor && r.unread > 0) void markAllRead().catch(() => undefined);
      },
      (err: unknown) => {
        setLoading(false);
        setError(errorMessage(err));
      },
    );
  }, []);

  useEffect(() => {
    document.title = 'Inbox · Flick';
    if (!me) return;
    load();
    // Live: something new arrived while the inbox is open.
    return onNotification(() => load());
  }, [me, load]);

  if (meLoading)
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (!me)
    return (
      <div className="page page-center">
        <CenterState title="Your inbox" icon={<BellIcon />}>
          <p>Log in to see likes, comments and new followers.</p>
          <Link to={loginPath('/inbox')} className="btn btn-primary">
            Log in
          </Link>
        </CenterState>
      </div>
    );
  return (
    <div className="page inbox-page">
      <header className="inbox-top">
        <h1>Inbox</h1>
      </header>
      <ul className="inbox-list" data-testid="inbox-list">
        {items.map((g) => (
          <li key={g.key} className={g.unread ? 'inbox-item is-unread' : 'inbox-item'} data-testid="inbox-item" data-type={g.type}>
            <Link to={target(g, me.username)} className="inbox-link">
              <span className="inbox-avatars">
                {g.actors.slice(0, 2).map((a) => (
                  <Avatar key={a.id} user={a} size={g.actors.length > 1 ? 32 : 44} />
                ))}
                {!g.actors.length && <BellIcon />}
              </span>
              <span className="inbox-text" data-testid="inbox-text">
                <strong>{who(g)}</strong> {what(g)} {g.text && <span className="inbox-quote">{g.text}</span>}
                <span className="inbox-time"> · {timeAgo(g.createdAt)}</span>
              </span>
              {g.posterUrl && <img className="inbox-poster" src={g.posterUrl} alt="" loading="lazy" />}
            </Link>
          </li>
        ))}
      </ul>
      {loading && <Spinner />}
      {!loading && error && <p className="comments-empty">{error}</p>}
      {!loading && !error && items.length === 0 && (
        <CenterState title="Nothing yet" icon={<BellIcon />}>
          <p>Likes, comments, mentions and new followers show up here.</p>
        </CenterState>
      )}
      {!loading && next && (
        <button type="button" className="comment-more" onClick={() => load(next)}>
          More
        </button>
      )}
    </div>
  );
}
