import { useEffect, useSyncExternalStore } from 'react';
import type { Profile } from '@flick/contracts';
import { api, getMe, subscribeMe } from './api.ts';

/** Who the signed-in user follows, learnt lazily per creator and shared by every Follow button. */

const known = new Map<string, boolean>();
const changeListeners = new Set<(username: string, following: boolean) => void>();
const loading = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;
let ownerId: string | null = null;

const key = (username: string) => username.toLowerCase();

function emit() {
  version++;
  for (const l of listeners) l();
}

subscribeMe(() => {
  const id = getMe()?.id ?? null;
  if (id !== ownerId) {
    ownerId = id;
    known.clear();
    loading.clear();
    emit();
  }
});

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function rememberProfile(profile: Pick<Profile, 'username' | 'isFollowing'>): void {
  known.set(key(profile.username), profile.isFollowing);
  emit();
}

/** Whether the viewer follows `username`: undefined until known; fetched when `enabled`. */
export function useIsFollowing(username: string, enabled: boolean): boolean | undefined {
  useSyncExternalStore(subscribe, () => version);
  const k = key(username);
  useEffect(() => {
    if (!enabled || known.has(k) || loading.has(k)) return;
    loading.add(k);
    api.call('profile', { params: { username } }).then(
      (p) => {
        loading.delete(k);
        rememberProfile(p);
      },
      () => loading.delete(k),
    );
  }, [enabled, k, username]);
  return known.get(k);
}

export async function setFollowing(username: string, follow: boolean): Promise<Profile> {
  const k = key(username);
  const before = known.get(k);
  known.set(k, follow);
  emit();
  try {
    const profile = await api.call(follow ? 'follow' : 'unfollow', { params: { username } });
    rememberProfile(profile);
    for (const l of changeListeners) l(profile.username, profile.isFollowing);
    return profile;
  } catch (err) {
    if (before === undefined) known.delete(k);
    else known.set(k, before);
    emit();
    throw err;
  }
}

/** Called after the viewer follows or unfollows someone (e.g. to refresh the Following feed). */
export function onFollowChange(listener: (username: string, following: boolean) => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}
