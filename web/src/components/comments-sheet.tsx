import { useCallback, useEffect, useRef, useState } from 'react';
import { COMMENT_MAX, type Comment } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { formatCount } from '../format.ts';
import { patchEngagement, useEngagement } from '../likes.ts';
import { profilePath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { CaptionText } from './caption-text.tsx';
import { HeartIcon } from './icons.tsx';
import { PinIcon, SendIcon } from './engagement-icons.tsx';
import { Link } from './link.tsx';
import { promptLogin } from './login-prompt.tsx';
import { Sheet } from './sheet.tsx';
import { Spinner } from './states.tsx';
import { showToast } from './toast.tsx';
import '../styles/engagement.css';

export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)}d`;
  return new Date(iso).toLocaleDateString();
}

type Sort = 'top' | 'new';

function CommentRow({
  c,
  onReply,
  onChanged,
  onDeleted,
  onPinned,
}: {
  c: Comment;
  onReply: (c: Comment) => void;
  onChanged: (c: Comment) => void;
  onDeleted: (c: Comment) => void;
  onPinned?: () => void;
}) {
  const { me } = useMe();
  const like = () => {
    if (!me) {
      promptLogin('Log in to like comments.');
      return;
    }
    const liked = !c.liked;
    onChanged({ ...c, liked, likes: Math.max(0, c.likes + (liked ? 1 : -1)) });
    api.call(liked ? 'likeComment' : 'unlikeComment', { params: { id: c.id } }).then(
      (r) => onChanged({ ...c, liked: r.liked, likes: r.likes }),
      (err: unknown) => {
        onChanged(c);
        showToast(errorMessage(err));
      },
    );
  };
  const remove = () => {
    if (!confirm('Delete this comment?')) return;
    api.call('deleteComment', { params: { id: c.id } }).then(
      () => onDeleted(c),
      (err: unknown) => showToast(errorMessage(err)),
    );
  };
  const pin = () => {
    api.call(c.pinned ? 'unpinComment' : 'pinComment', { params: { id: c.id } }).then(
      () => onPinned?.(),
      (err: unknown) => showToast(errorMessage(err)),
    );
  };
  return (
    <div className={c.parentId ? 'comment is-reply' : 'comment'} data-testid="comment-item" data-comment-id={c.id}>
      <Link to={profilePath(c.author.username)} className="comment-avatar" aria-label={`@${c.author.username}`}>
        <Avatar user={c.author} size={c.parentId ? 28 : 36} />
      </Link>
      <div className="comment-main">
        <div className="comment-head">
          <Link to={profilePath(c.author.username)} className="comment-author">
            {c.author.displayName || c.author.username}
          </Link>
          {c.byCreator && <span className="comment-badge">Creator</span>}
          {c.pinned && (
            <span className="comment-badge is-pinned" data-testid="comment-pinned">
              Pinned
            </span>
          )}
          {c.hidden && <span className="comment-badge is-hidden">Only you can see this</span>}
        </div>
        <div className="comment-text" data-testid="comment-text">
          {c.replyTo && <span className="comment-replyto">@{c.replyTo} </span>}
          <CaptionText text={c.text} clamp={false} />
        </div>
        <div className="comment-actions">
          <span className="comment-time">{timeAgo(c.createdAt)}</span>
          <button type="button" className="comment-action" data-testid="comment-reply" onClick={() => onReply(c)}>
            Reply
          </button>
          {c.canPin && (
            <button type="button" className="comment-action" data-testid="comment-pin" onClick={pin}>
              <PinIcon width={14} height={14} /> {c.pinned ? 'Unpin' : 'Pin'}
            </button>
          )}
          {c.canDelete && (
            <button type="button" className="comment-action" data-testid="comment-delete" onClick={remove}>
              Delete
            </button>
          )}
        </div>
      </div>
      <button
        type="button"
        className={c.liked ? 'comment-like is-liked' : 'comment-like'}
        data-testid="comment-like"
        data-liked={c.liked ? 'true' : 'false'}
        aria-pressed={c.liked}
        aria-label={c.liked ? 'Unlike comment' : 'Like comment'}
        onClick={like}
      >
        <HeartIcon width={16} height={16} fill={c.liked ? 'currentColor' : 'none'} />
        <span data-testid="comment-like-count">{c.likes > 0 ? formatCount(c.likes) : ''}</span>
      </button>
    </div>
  );
}

/** A top-level comment with its replies, loaded on demand. */
function Thread({
  c,
  onReply,
  onDeleted,
  onPinned,
  added,
}: {
  c: Comment;
  onReply: (c: Comment) => void;
  onDeleted: (c: Comment) => void;
  onPinned: () => void;
  added: Comment[];
}) {
  const [self, setSelf] = useState(c);
  const [replies, setReplies] = useState<Comment[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  useEffect(() => setSelf(c), [c]);
  const shown = [...replies, ...added.filter((a) => !replies.some((r) => r.id === a.id))];
  const more = () => {
    setLoading(true);
    api.call('commentReplies', { params: { id: c.id }, query: { limit: 10, cursor: cursor ?? undefined } }).then(
      (r) => {
        setReplies((prev) => [...prev, ...r.items.filter((x) => !prev.some((p) => p.id === x.id))]);
        setCursor(r.nextCursor);
        setLoading(false);
      },
      (err: unknown) => {
        setLoading(false);
        showToast(errorMessage(err));
      },
    );
  };
  const remaining = cursor === undefined ? self.replies - added.length : cursor ? 1 : 0;
  return (
    <div className="comment-thread">
      <CommentRow c={self} onReply={onReply} onChanged={setSelf} onDeleted={onDeleted} onPinned={onPinned} />
      {shown.map((r) => (
        <CommentRow
          key={r.id}
          c={r}
          onReply={onReply}
          onChanged={(n) => setReplies((prev) => prev.map((p) => (p.id === n.id ? n : p)))}
          onDeleted={(d) => {
            setReplies((prev) => prev.filter((p) => p.id !== d.id));
            setSelf((s) => ({ ...s, replies: Math.max(0, s.replies - 1) }));
          }}
        />
      ))}
      {remaining > 0 && (
        <button type="button" className="comment-more" data-testid="view-replies" disabled={loading} onClick={more}>
          {cursor === undefined ? `View ${formatCount(remaining)} ${remaining === 1 ? 'reply' : 'replies'}` : 'More replies'}
        </button>
      )}
    </div>
  );
}

/** The comments of a video in a bottom sheet: threads, replies, likes, pinning, sorting, and the composer. */
export function CommentsSheet({ videoId, onClose }: { videoId: string; onClose: () => void }) {
  const { me } = useMe();
  const state = useEngagement(videoId);
  const [sort, setSort] = useState<Sort>('top');
  const [items, setItems] = useState<Comment[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [canComment, setCanComment] = useState(true);
  const [reason, setReason] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<Comment | null>(null);
  const [sending, setSending] = useState(false);
  const [added, setAdded] = useState<Record<string, Comment[]>>({});
  const input = useRef<HTMLTextAreaElement>(null);

  const load = useCallback(
    (cursor?: string) => {
      setLoading(true);
      api.call('comments', { params: { id: videoId }, query: { sort, limit: 20, cursor } }).then(
        (r) => {
          setItems((prev) => (cursor ? [...prev, ...r.items.filter((x) => !prev.some((p) => p.id === x.id))] : r.items));
          setNext(r.nextCursor);
          setTotal(r.total);
          setCanComment(r.canComment);
          setReason(r.reason);
          setLoading(false);
          setError(null);
          patchEngagement(videoId, { comments: r.total });
        },
        (err: unknown) => {
          setLoading(false);
          setError(errorMessage(err));
        },
      );
    },
    [videoId, sort],
  );

  useEffect(() => {
    setAdded({});
    load();
  }, [load]);

  const send = () => {
    if (!me) {
      promptLogin('Log in to comment.');
      return;
    }
    if (!text.trim() || sending) return;
    setSending(true);
    const parent = replyTo;
    api.call('addComment', { params: { id: videoId }, body: { text, ...(parent ? { parentId: parent.id } : {}) } }).then(
      (c) => {
        setSending(false);
        setText('');
        setReplyTo(null);
        if (c.parentId) setAdded((prev) => ({ ...prev, [c.parentId!]: [...(prev[c.parentId!] ?? []), c] }));
        else setItems((prev) => [c, ...prev]);
        if (!c.hidden) {
          setTotal((n) => (n ?? 0) + 1);
          if (state) patchEngagement(videoId, { comments: state.comments + 1 });
        }
      },
      (err: unknown) => {
        setSending(false);
        showToast(errorMessage(err));
      },
    );
  };

  const title = total === null ? 'Comments' : `${formatCount(total)} ${total === 1 ? 'comment' : 'comments'}`;
  return (
    <Sheet title={title} onClose={onClose} testId="comments-sheet">
      <div className="comments">
        <div className="comments-sort" role="tablist" aria-label="Sort comments">
          {(['top', 'new'] as const).map((s) => (
            <button
              key={s}
              type="button"
              role="tab"
              aria-selected={sort === s}
              className={sort === s ? 'is-active' : ''}
              data-testid={`comments-sort-${s}`}
              onClick={() => setSort(s)}
            >
              {s === 'top' ? 'Top' : 'Newest'}
            </button>
          ))}
        </div>
        <div className="comments-list" data-testid="comments-list">
          {items.map((c) => (
            <Thread
              key={c.id}
              c={c}
              added={added[c.id] ?? []}
              onReply={(target) => {
                setReplyTo(target);
                input.current?.focus();
              }}
              onDeleted={(d) => {
                setItems((prev) => prev.filter((p) => p.id !== d.id));
                load();
              }}
              onPinned={() => load()}
            />
          ))}
          {loading && <Spinner label="Loading comments" />}
          {!loading && error && <p className="comments-empty">{error}</p>}
          {!loading && !error && items.length === 0 && <p className="comments-empty">No comments yet. Say something nice.</p>}
          {!loading && next && (
            <button type="button" className="comment-more" data-testid="comments-more" onClick={() => load(next)}>
              More comments
            </button>
          )}
        </div>
        {canComment || !me ? (
          <form
            className="comment-compose"
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            {replyTo && (
              <div className="comment-replying" data-testid="replying-to">
                Replying to @{replyTo.author.username}
                <button type="button" onClick={() => setReplyTo(null)} aria-label="Cancel reply">
                  ×
                </button>
              </div>
            )}
            <div className="comment-compose-row">
              <textarea
                ref={input}
                rows={1}
                maxLength={COMMENT_MAX}
                placeholder={me ? 'Add a comment…' : 'Log in to comment'}
                value={text}
                data-testid="comment-input"
                aria-label="Comment"
                onFocus={() => {
                  if (!me) promptLogin('Log in to comment.');
                }}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    send();
                  }
                }}
              />
              <button type="submit" className="comment-send" data-testid="comment-send" aria-label="Post comment" disabled={!text.trim() || sending}>
                <SendIcon />
              </button>
            </div>
          </form>
        ) : (
          <p className="comments-closed" data-testid="comments-closed">
            {reason ?? 'Comments are closed'}
          </p>
        )}
      </div>
    </Sheet>
  );
}
