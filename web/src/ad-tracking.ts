/**
 * Ad view tracking: while a sponsored feed item plays, its milestones (viewable, 2- and 6-second views, quartiles)
 * go to POST /api/ads/track in batches — each milestone once per impression — and whatever is queued when the
 * page hides leaves with sendBeacon, like the interaction events (events.ts).
 */

export type AdEventType = 'viewable' | 'view2s' | 'view6s' | 'q25' | 'q50' | 'q75' | 'q100' | 'follow' | 'profile_visit';
export type AdEvent = { impressionId: string; type: AdEventType; watchMs?: number };

const ENDPOINT = '/api/ads/track';
const FLUSH_MS = 1000;
const MAX_BATCH = 50;
const MAX_QUEUE = 500;
/** An item on screen (the feed's active item is ≥ 60 % in view) that played this long is viewable. */
const VIEWABLE_MS = 1000;

let queue: AdEvent[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;
let installed = false;
/** Milestones already queued per impression (an impression reports each once, even when watched again). */
const reported = new Map<string, Set<AdEventType>>();

export function trackAd(impressionId: string, type: AdEventType, watchMs?: number): void {
  let done = reported.get(impressionId);
  if (!done) reported.set(impressionId, (done = new Set()));
  if (done.has(type)) return;
  done.add(type);
  queue.push({ impressionId, type, ...(watchMs !== undefined && Number.isFinite(watchMs) ? { watchMs: Math.max(0, Math.round(watchMs)) } : {}) });
  if (queue.length > MAX_QUEUE) queue = queue.slice(-MAX_QUEUE);
  install();
  if (queue.length >= MAX_BATCH) void flushAdEvents();
  else timer ??= setTimeout(() => void flushAdEvents(), FLUSH_MS);
}

export async function flushAdEvents(): Promise<void> {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (inFlight || queue.length === 0) return;
  inFlight = true;
  const batch = queue.splice(0, MAX_BATCH);
  let retry = false;
  try {
    const res = await fetch(ENDPOINT, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch }),
    });
    // A 4xx other than 429 means the batch is bad (an unknown or expired impression): drop it rather than retry forever.
    retry = !res.ok && (res.status >= 500 || res.status === 429);
  } catch {
    retry = true;
  } finally {
    inFlight = false;
  }
  if (retry) queue = [...batch, ...queue].slice(-MAX_QUEUE);
  if (queue.length) timer ??= setTimeout(() => void flushAdEvents(), retry ? 5 * FLUSH_MS : FLUSH_MS);
}

function flushForUnload() {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  while (queue.length > 0) {
    const json = JSON.stringify({ events: queue.splice(0, MAX_BATCH) });
    let sent = false;
    try {
      sent = typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(ENDPOINT, new Blob([json], { type: 'application/json' }));
    } catch {
      sent = false;
    }
    if (!sent)
      void fetch(ENDPOINT, { method: 'POST', body: json, keepalive: true, credentials: 'include', headers: { 'content-type': 'application/json' } }).catch(
        () => undefined,
      );
  }
}

function install() {
  if (installed || typeof document === 'undefined') return;
  installed = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushForUnload();
  });
  window.addEventListener('pagehide', flushForUnload);
}

export type WatchProgress = { watchMs: number; positionMs: number; durationMs: number | undefined; completed: boolean };

/**
 * Milestones of one impression from the player's progress. A 2- or 6-second view also counts when a shorter video
 * plays to its end; quartiles follow the furthest point played.
 */
export function adViewTracker(impressionId: string): (w: WatchProgress) => void {
  return ({ watchMs, positionMs, durationMs, completed }) => {
    const playedShorter = (ms: number) => completed && durationMs !== undefined && durationMs < ms;
    if (watchMs >= VIEWABLE_MS || completed) trackAd(impressionId, 'viewable', watchMs);
    if (watchMs >= 2000 || playedShorter(2000)) trackAd(impressionId, 'view2s', watchMs);
    if (watchMs >= 6000 || playedShorter(6000)) trackAd(impressionId, 'view6s', watchMs);
    if (durationMs && durationMs > 0) {
      const f = completed ? 1 : positionMs / durationMs;
      if (f >= 0.25) trackAd(impressionId, 'q25', watchMs);
      if (f >= 0.5) trackAd(impressionId, 'q50', watchMs);
      if (f >= 0.75) trackAd(impressionId, 'q75', watchMs);
      if (completed) trackAd(impressionId, 'q100', watchMs);
    }
  };
}

/**
 * The viewer followed the creator (`follow`) or opened their profile (`profile_visit`) from a sponsored item: what
 * Promote's follows and profile-visits goals bid on. Sent at once (the profile visit navigates away); the server checks
 * a follow against the follows and counts each once per impression.
 */
export function trackAdAction(impressionId: string, type: 'follow' | 'profile_visit'): void {
  trackAd(impressionId, type);
  void flushAdEvents();
}

/** For tests and debugging. */
export function pendingAdEvents(): readonly AdEvent[] {
  return queue;
}
