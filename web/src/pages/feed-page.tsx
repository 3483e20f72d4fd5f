import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { FeedPage as FeedPageData } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { flushEvents } from '../events.ts';
import { setForYouMode, useForYouMode, type ForYouMode } from '../feed-mode.ts';
import { onFollowChange } from '../follows.ts';
import { CenterState, Spinner } from '../components/states.tsx';
import { Link } from '../components/link.tsx';
import { FlameIcon, SparkleIcon, UserIcon, VideoIcon } from '../components/icons.tsx';
import { matchesHidden, type HideTarget } from '../components/item-sheet.tsx';
import { showToast } from '../components/toast.tsx';
import { InterestBanner, InterestPicker, markInterests, useInterestOptions, useInterestsChosen } from '../components/interest-picker.tsx';
import { VideoCard } from '../components/video-card.tsx';
import { loginPath, type FeedTab } from '../router.ts';

type FeedItem = FeedPageData['items'][number];

const PAGE_SIZE = 8;
/** Fetch the next page when the active item is this close to the end. */
const PREFETCH_FROM_END = 3;

/** Feeds survive leaving the page (e.g. a trip to a profile) for the rest of the session. */
type CachedFeed = { items: FeedItem[]; nextCursor: string | null; index: number };
const feedCache = new Map<string, CachedFeed>();

export function resetFeeds(): void {
  feedCache.clear();
}

// Following someone new changes the Following feed: load it afresh next time.
onFollowChange(() => {
  for (const key of feedCache.keys()) if (key.startsWith('following:')) feedCache.delete(key);
});

function Tabs({ tab }: { tab: FeedTab }) {
  return (
    <div className="feed-tabs" role="tablist" aria-label="Feeds">
      <Link
        to="/following"
        replace
        role="tab"
        aria-selected={tab === 'following'}
        data-testid="tab-following"
        className={tab === 'following' ? 'feed-tab is-active' : 'feed-tab'}
      >
        Following
      </Link>
      <Link
        to="/"
        replace
        role="tab"
        aria-selected={tab === 'for-you'}
        data-testid="tab-for-you"
        className={tab === 'for-you' ? 'feed-tab is-active' : 'feed-tab'}
      >
        For You
      </Link>
    </div>
  );
}

/** Personalised ⇄ Popular (non-personalised) For You; remembered on this device. */
function ModeToggle({ mode }: { mode: ForYouMode }) {
  const popular = mode === 'popular';
  return (
    <button
      type="button"
      className={popular ? 'mode-toggle is-popular' : 'mode-toggle'}
      data-testid="mode-toggle"
      data-mode={mode}
      role="switch"
      aria-checked={!popular}
      aria-label={popular ? 'Personalised For You is off: showing popular videos' : 'Personalised For You is on'}
      title={popular ? 'Switch to a For You personalised for you' : 'Switch to popular videos, not personalised'}
      onClick={() => {
        const next: ForYouMode = popular ? 'personal' : 'popular';
        setForYouMode(next);
        showToast(next === 'popular' ? 'Showing popular videos, not personalised' : 'Showing videos picked for you');
      }}
    >
      {popular ? <FlameIcon /> : <SparkleIcon />}
      <span>{popular ? 'Popular' : 'Personalised'}</span>
    </button>
  );
}

export function FeedPage({ tab, epoch }: { tab: FeedTab; epoch: number }) {
  const { me, loading } = useMe();
  const mode = useForYouMode();
  /** Bumped after picking interests: reload this feed from the first page. */
  const [reloads, setReloads] = useState(0);
  const [pickerOpen, setPickerOpen] = useState(false);
  const userId = me?.id ?? null;
  const chosen = useInterestsChosen(userId);
  // Cold start: offer the interest picker (never auto-opened, so the feed stays usable at once).
  const options = useInterestOptions(tab === 'for-you' && userId !== null && chosen === false);
  const offerInterests = tab === 'for-you' && userId !== null && chosen === false && options !== null && options.length > 0;
  let body;
  // Wait to know who is watching: a feed keyed by the viewer would otherwise load once as "anon",
  // then remount and load again as a new feed session (wasting a page and its impressions).
  if (loading) {
    body = (
      <div className="feed-placeholder">
        <Spinner />
      </div>
    );
  } else if (tab === 'following' && !me) {
    body = (
      <div className="feed-placeholder">
        <CenterState title="Videos from creators you follow" icon={<UserIcon />}>
          <p>Log in to see the latest from the people you follow.</p>
          <Link to={loginPath('/following')} className="btn btn-primary">
            Log in
          </Link>
          <p className="muted small">
            New here? <Link to="/signup">Create an account</Link>
          </p>
        </CenterState>
      </div>
    );
  } else {
    const feedKey = tab === 'for-you' ? `${tab}:${mode}:${me?.id ?? 'anon'}` : `${tab}:${me?.id ?? 'anon'}`;
    body = <VideoFeed key={`${feedKey}:${epoch}:${reloads}`} tab={tab} mode={mode} cacheKey={feedKey} />;
  }
  return (
    <div className={`feed-page mode-${mode}`}>
      <Tabs tab={tab} />
      {tab === 'for-you' && (
        <>
          <ModeToggle mode={mode} />
          {mode === 'popular' && (
            <p className="mode-label" data-testid="mode-label">
              Popular · not personalised
            </p>
          )}
          {offerInterests && userId && <InterestBanner onOpen={() => setPickerOpen(true)} onDismiss={() => markInterests(userId, 'skipped')} />}
        </>
      )}
      {body}
      {offerInterests && userId && pickerOpen && (
        <InterestPicker
          options={options}
          onClose={() => setPickerOpen(false)}
          onSkip={() => {
            markInterests(userId, 'skipped');
            setPickerOpen(false);
          }}
          onSaved={() => {
            markInterests(userId, 'done');
            setPickerOpen(false);
            // The picks seed the personalised For You: show it, from the top.
            if (mode === 'popular') setForYouMode('personal');
            resetFeeds();
            setReloads((n) => n + 1);
            showToast('Your For You is tuned to your picks');
          }}
        />
      )}
    </div>
  );
}

function VideoFeed({ tab, mode, cacheKey }: { tab: FeedTab; mode: ForYouMode; cacheKey: string }) {
  const cached = feedCache.get(cacheKey);
  const [items, setItems] = useState<FeedItem[]>(cached?.items ?? []);
  /** undefined: the first page has not loaded yet; null: no more pages. */
  const [cursor, setCursor] = useState<string | null | undefined>(cached ? cached.nextCursor : undefined);
  const [loadingPage, setLoadingPage] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(cached?.index ?? 0);
  const containerRef = useRef<HTMLDivElement>(null);
  const requestRef = useRef(false);

  const loadMore = useCallback(async () => {
    if (requestRef.current || cursor === null) return;
    requestRef.current = true;
    setLoadingPage(true);
    setError(null);
    try {
      const query = { limit: PAGE_SIZE, cursor: cursor ?? undefined };
      // Send what was watched / liked first: the recommender learns before it answers.
      if (tab === 'for-you' && mode === 'personal') await flushEvents();
      const page = tab === 'for-you' ? await api.call('forYou', { query: { ...query, mode } }) : await api.call('following', { query });
      setItems((prev) => {
        const seen = new Set(prev.map((i) => i.video.id));
        return [...prev, ...page.items.filter((i) => !seen.has(i.video.id) && (seen.add(i.video.id), true))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(errorMessage(err, "Couldn't load videos."));
    } finally {
      requestRef.current = false;
      setLoadingPage(false);
    }
  }, [cursor, tab, mode]);

  // First page, then infinite scroll: the next page when 3 items from the end.
  useEffect(() => {
    if (error || loadingPage || cursor === null) return;
    if (cursor === undefined || active >= items.length - PREFETCH_FROM_END) void loadMore();
  }, [active, items.length, cursor, error, loadingPage, loadMore]);

  // Remember where we were.
  useEffect(() => {
    if (cursor !== undefined) feedCache.set(cacheKey, { items, nextCursor: cursor, index: active });
  }, [cacheKey, items, cursor, active]);

  // Restore the scroll position of a cached feed.
  useLayoutEffect(() => {
    const el = containerRef.current;
    if (el && active > 0) el.scrollTop = active * el.clientHeight;
    // Only on mount: later changes of `active` come from scrolling.
  }, []);

  // "Not interested": drop what matches from the loaded items and stay on the item that was next.
  const pendingScroll = useRef<number | null>(null);
  const hide = useCallback(
    (target: HideTarget) => {
      const keep = items.filter((i) => !matchesHidden(i.video, target));
      if (keep.length === items.length) return;
      const next = items.slice(0, active).filter((i) => !matchesHidden(i.video, target)).length;
      pendingScroll.current = next;
      setItems(keep);
      setActive(next);
    },
    [items, active],
  );
  useLayoutEffect(() => {
    const el = containerRef.current;
    const to = pendingScroll.current;
    if (to === null) return;
    pendingScroll.current = null;
    if (el) el.scrollTop = to * el.clientHeight;
  }, [items]);

  // The item at least 60% in view is the active one.
  const observerRef = useRef<IntersectionObserver | null>(null);
  const getObserver = useCallback(() => {
    observerRef.current ??= new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting && entry.intersectionRatio >= 0.6) {
            const index = Number((entry.target as HTMLElement).dataset.index);
            if (Number.isInteger(index)) setActive(index);
          }
        }
      },
      { threshold: [0, 0.6, 1] },
    );
    return observerRef.current;
  }, []);
  const observe = useCallback(
    (el: HTMLElement | null) => {
      if (!el) return;
      const observer = getObserver();
      observer.observe(el);
      return () => observer.unobserve(el);
    },
    [getObserver],
  );

  // Keyboard: ↑/↓ (and j/k) move between videos.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = containerRef.current;
      if (!el || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (document.querySelector('[role="dialog"]')) return;
      const step = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      el.scrollTo({ top: Math.max(0, active + step) * el.clientHeight, behavior: 'smooth' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active]);

  const feedName = tab === 'for-you' ? 'for-you' : 'following';

  if (items.length === 0) {
    return (
      <div className="feed-placeholder" data-testid="feed" data-state={error ? 'error' : cursor === null ? 'empty' : 'loading'}>
        {error ? (
          <CenterState title="Couldn't load videos" tone="error">
            <p>{error}</p>
            <button type="button" className="btn btn-primary" onClick={() => void loadMore()}>
              Try again
            </button>
          </CenterState>
        ) : cursor === null ? (
          tab === 'following' ? (
            <CenterState title="No videos yet" icon={<UserIcon />}>
              <p>When you follow creators, their newest videos show up here.</p>
              <Link to="/" replace className="btn btn-primary">
                Discover creators
              </Link>
            </CenterState>
          ) : (
            <CenterState title="Nothing to watch yet" icon={<VideoIcon />}>
              <p>Be the first to post a video on Flick.</p>
              <Link to="/upload" className="btn btn-primary">
                Upload a video
              </Link>
            </CenterState>
          )
        ) : (
          <Spinner />
        )}
      </div>
    );
  }

  return (
    <div className="feed" data-testid="feed" ref={containerRef}>
      {items.map((item, i) => (
        <section
          key={item.video.id}
          className="feed-item"
          data-testid="feed-item"
          data-video-id={item.video.id}
          data-index={i}
          data-reason={item.reason}
          data-sponsored={item.sponsored ? 'true' : undefined}
          data-active={i === active ? 'true' : 'false'}
          ref={observe}
          aria-label={`${item.sponsored ? `${item.sponsored.label} video` : 'Video'} by @${item.video.author.username}`}
        >
          <VideoCard
            video={item.video}
            active={i === active}
            attach={Math.abs(i - active) <= 1}
            mounted={Math.abs(i - active) <= 2}
            feed={feedName}
            recommendation={item}
            onHidden={hide}
            sponsored={item.sponsored}
          />
        </section>
      ))}
      <div className="feed-end">
        {error ? (
          <CenterState title="Couldn't load more" tone="error">
            <p>{error}</p>
            <button type="button" className="btn btn-primary" onClick={() => void loadMore()}>
              Try again
            </button>
          </CenterState>
        ) : cursor === null ? (
          <CenterState title="You're all caught up" icon={<VideoIcon />}>
            <p>{tab === 'following' ? 'That’s everything new from the people you follow.' : 'Check back soon for more videos.'}</p>
          </CenterState>
        ) : (
          <Spinner />
        )}
      </div>
    </div>
  );
}
