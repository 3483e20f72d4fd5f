import { useSyncExternalStore } from 'react';
import { ApiError, createClient, type Me } from '@flick/contracts';

/** The one JSON client for the app; the session rides in an HttpOnly cookie. */
export const api = createClient();

export { ApiError };

/** "username: username must be…" → "username must be…" (validation messages repeat the field). */
function tidy(message: string): string {
  const m = /^([\w.]+): (.+)$/s.exec(message);
  const field = m?.[1]?.split('.').pop();
  const rest = m?.[2];
  return field && rest && rest.toLowerCase().startsWith(field.toLowerCase()) ? rest : message;
}

/** A message fit to show a person for any thrown value. */
export function errorMessage(err: unknown, fallback = 'Something went wrong. Please try again.'): string {
  if (err instanceof ApiError) {
    if (err.status === 429) return err.message || 'Too many attempts — wait a moment and try again.';
    if (err.status >= 500) return 'The server had a problem. Please try again.';
    return tidy(err.message) || fallback;
  }
  if (err instanceof TypeError) return "Couldn't reach Flick. Check your connection and try again.";
  return fallback;
}

// --- the signed-in user -------------------------------------------------------------------------

export type MeState = { readonly loading: boolean; readonly me: Me | null };

let meState: MeState = { loading: true, me: null };
let meRequest: Promise<Me | null> | null = null;
const meListeners = new Set<() => void>();

function emitMe(next: MeState) {
  meState = next;
  for (const l of meListeners) l();
}

/** Asks the server who is signed in (once; pass `force` to ask again). */
export function loadMe(force = false): Promise<Me | null> {
  if (meRequest && !force) return meRequest;
  meRequest = api.call('me').then(
    (me) => {
      emitMe({ loading: false, me });
      return me;
    },
    (err: unknown) => {
      if (!(err instanceof ApiError && err.status === 401)) console.warn('could not load the session', err);
      emitMe({ loading: false, me: null });
      return null;
    },
  );
  return meRequest;
}

/** After signup/login/logout/profile edits. */
export function setMe(me: Me | null): void {
  meRequest = Promise.resolve(me);
  emitMe({ loading: false, me });
}

export function getMe(): Me | null {
  return meState.me;
}

export function subscribeMe(listener: () => void): () => void {
  meListeners.add(listener);
  return () => meListeners.delete(listener);
}

/** The signed-in user (`me: null` when signed out) and whether that is still being checked. */
export function useMe(): MeState {
  return useSyncExternalStore(subscribeMe, () => meState);
}
