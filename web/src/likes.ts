import { useEffect, useSyncExternalStore } from 'react';
import type { VideoEngagement } from '@flick/contracts';
import { api, getMe, subscribeMe } from './api.ts';

/**
 * Likes, saves and counters per video, from the server (`GET /api/engagement`, batched: every card
 * that mounts in the same tick shares one request). Toggles are optimistic and roll back on error;
 * the server records the recommender's like/unlike/save events itself.
 */

const known = new Map<string, VideoEngagement>();
const pending = new Set<string>();
let batch: Set<string> | null = null;
const listeners = new Set<() => void>();
let version = 0;
let ownerId: string | null = null;

function emit() {
  version++;
  for (const l of listeners) l();
}

subscribeMe(() => {
  const id = getMe()?.id ?? null;
  if (id !== ownerId) {
    ownerId = id;
    known.clear();
    pending.clear();
    emit();
  }
});

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

function load(ids: string[]) {
  api.call('engagement', { query: { ids: ids.join(',') } }).then(
    (r) => {
      for (const id of ids) pending.delete(id);
      for (const it of r.items) known.set(it.videoId, it);
      emit();
    },
    () => {
      for (const id of ids) pending.delete(id);
    },
  );
}

function request(videoId: string) {
  if (known.has(videoId) || pending.has(videoId)) return;
  pending.add(videoId);
  if (!batch) {
    batch = new Set();
    queueMicrotask(() => {
      const ids = [...batch!];
      batch = null;
      for (let i = 0; i < ids.length; i += 50) load(ids.slice(i, i + 50));
    });
  }
  batch.add(videoId);
}

/** The viewer's like/save state and the counters of a video; undefined until loaded. */
export function useEngagement(videoId: string, enabled = true): VideoEngagement | undefined {
  useSyncExternalStore(subscribe, () => version);
  useEffect(() => {
    if (enabled) request(videoId);
  }, [enabled, videoId]);
  return known.get(videoId);
}

/** Forget a video's state so the next render fetches it again (e.g. after commenting). */
export function refreshEngagement(videoId: string): void {
  known.delete(videoId);
  request(videoId);
}

export function patchEngagement(videoId: string, patch: Partial<VideoEngagement>): void {
  const cur = known.get(videoId);
  if (!cur) return;
  known.set(videoId, { ...cur, ...patch });
  emit();
}

function base(videoId: string): VideoEngagement {
  return known.get(videoId) ?? { videoId, liked: false, saved: false, collectionId: null, likes: 0, comments: 0, saves: 0, shares: 0 };
}

/** Likes `videoId` (or takes the like back); resolves to whether it is now liked. */
export async function toggleLiked(videoId: string): Promise<boolean> {
  const before = base(videoId);
  const like = !before.liked;
  known.set(videoId, { ...before, liked: like, likes: Math.max(0, before.likes + (like ? 1 : -1)) });
  emit();
  try {
    const r = await api.call(like ? 'likeVideo' : 'unlikeVideo', { params: { id: videoId } });
    known.set(videoId, { ...base(videoId), liked: r.liked, likes: r.likes });
    emit();
    return r.liked;
  } catch (err) {
    known.set(videoId, before);
    emit();
    throw err;
  }
}

/** Saves into `collectionId` (null: just "All saved"), or unsaves with `save = false`. */
export async function setSaved(videoId: string, save: boolean, collectionId: string | null = null): Promise<void> {
  const before = base(videoId);
  known.set(videoId, { ...before, saved: save, collectionId: save ? collectionId : null, saves: before.saves + (save === before.saved ? 0 : save ? 1 : -1) });
  emit();
  try {
    const r = save
      ? await api.call('saveVideo', { params: { id: videoId }, body: { collectionId } })
      : await api.call('unsaveVideo', { params: { id: videoId } });
    known.set(videoId, { ...base(videoId), saved: r.saved, collectionId: r.collectionId, saves: r.saves });
    emit();
  } catch (err) {
    known.set(videoId, before);
    emit();
    throw err;
  }
}
