import { useSyncExternalStore } from 'react';
import { getMe, subscribeMe } from './api.ts';

/**
 * Which videos the signed-in user liked. There is no like API yet: the heart state lives on this
 * device (per account), and every toggle is reported as a 'like' / 'unlike' event.
 */

const MAX_REMEMBERED = 1000;
const listeners = new Set<() => void>();
let ownerId: string | null = null;
let liked = new Set<string>();
let version = 0;

const storageKey = (userId: string) => `flick:liked:${userId}`;

function load(userId: string | null): Set<string> {
  if (!userId) return new Set();
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? '[]');
    return new Set(Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

function save() {
  if (!ownerId) return;
  try {
    localStorage.setItem(storageKey(ownerId), JSON.stringify([...liked].slice(-MAX_REMEMBERED)));
  } catch {
    // Storage unavailable: the hearts last for this page only.
  }
}

function emit() {
  version++;
  for (const l of listeners) l();
}

function sync() {
  const id = getMe()?.id ?? null;
  if (id === ownerId) return;
  ownerId = id;
  liked = load(id);
  emit();
}

subscribeMe(sync);
sync();

/** Likes `videoId` (or takes the like back); returns whether it is now liked. */
export function toggleLiked(videoId: string): boolean {
  sync();
  const now = !liked.has(videoId);
  if (now) liked.add(videoId);
  else liked.delete(videoId);
  save();
  emit();
  return now;
}

export function useLiked(videoId: string): boolean {
  useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => version,
  );
  return ownerId !== null && liked.has(videoId);
}
