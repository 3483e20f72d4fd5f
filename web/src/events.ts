import type { InteractionEvent } from '@flick/contracts';
import { api, ApiError } from './api.ts';

/** Interaction events: queued, then sent in batches (every ~5 s, at 20 queued, and when the page hides). */

export type FeedSource = NonNullable<InteractionEvent['feed']>;
export type TrackInput = Omit<InteractionEvent, 'id' | 'at'>;

const FLUSH_INTERVAL_MS = 5000;
/** Explicit signals (a like, a follow…) go out almost at once: the next For You page should already reflect them. */
const EXPLICIT_FLUSH_MS = 300;
const EXPLICIT = new Set<InteractionEvent['type']>(['like', 'unlike', 'comment', 'share', 'save', 'follow', 'profile_visit', 'not_interested', 'report']);
const FLUSH_AT = 20;
const MAX_BATCH = 100;
const MAX_QUEUE = 1000;
const MAX_MS = 3_600_000;
const ENDPOINT = '/api/events';

let queue: InteractionEvent[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;
let installed = false;
const hideListeners = new Set<() => void>();

/** 32 hex chars; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newEventId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID().replace(/-/g, '');
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? undefined : Math.min(MAX_MS, Math.max(0, Math.round(v))));

export function track(input: TrackInput): void {
  const event: InteractionEvent = {
    id: newEventId(),
    type: input.type,
    videoId: input.videoId,
    feed: input.feed,
    watchMs: ms(input.watchMs),
    positionMs: ms(input.positionMs),
    durationMs: ms(input.durationMs),
    at: new Date().toISOString(),
  };
  queue.push(event);
  if (queue.length > MAX_QUEUE) queue = queue.slice(-MAX_QUEUE);
  if (queue.length >= FLUSH_AT && !inFlight) void flushEvents();
  else if (EXPLICIT.has(event.type)) {
    clearTimer();
    schedule(EXPLICIT_FLUSH_MS);
  } else schedule();
}

function schedule(delay = FLUSH_INTERVAL_MS) {
  if (timer !== undefined || queue.length === 0) return;
  timer = setTimeout(() => {
    timer = undefined;
    void flushEvents();
  }, delay);
}

function clearTimer() {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
}

/** Sends what is queued (one batch at a time); failed batches go back on the queue. */
export async function flushEvents(): Promise<void> {
  if (inFlight || queue.length === 0) return;
  clearTimer();
  inFlight = true;
  const batch = queue.splice(0, MAX_BATCH);
  let failed = false;
  try {
    await api.call('events', { body: { events: batch } });
  } catch (err) {
    // A 4xx other than 429 means the batch itself is bad: drop it rather than retry forever.
    const permanent = err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429;
    if (!permanent) {
      queue = [...batch, ...queue].slice(-MAX_QUEUE);
      failed = true;
    }
  } finally {
    inFlight = false;
  }
  if (failed) schedule();
  else if (queue.length >= FLUSH_AT) void flushEvents();
  else schedule(queue.some((e) => EXPLICIT.has(e.type)) ? EXPLICIT_FLUSH_MS : FLUSH_INTERVAL_MS);
}

/** Sends everything now in a way that survives the page going away. */
function flushForUnload() {
  for (const listener of hideListeners) {
    try {
      listener();
    } catch (err) {
      console.warn(err);
    }
  }
  clearTimer();
  while (queue.length > 0) {
    const json = JSON.stringify({ events: queue.splice(0, MAX_BATCH) });
    let sent = false;
    try {
      sent = typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(ENDPOINT, new Blob([json], { type: 'application/json' }));
    } catch {
      sent = false;
    }
    if (!sent) {
      void fetch(ENDPOINT, { method: 'POST', body: json, keepalive: true, credentials: 'include', headers: { 'content-type': 'application/json' } }).catch(
        () => undefined,
      );
    }
  }
}

/** Runs `listener` just before the queue is flushed because the page is hiding (players checkpoint watch time). */
export function onPageHide(listener: () => void): () => void {
  hideListeners.add(listener);
  return () => hideListeners.delete(listener);
}

export function installEventFlushing(): void {
  if (installed) return;
  installed = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushForUnload();
  });
  window.addEventListener('pagehide', flushForUnload);
}

/** For tests and debugging. */
export function pendingEvents(): readonly InteractionEvent[] {
  return queue;
}
