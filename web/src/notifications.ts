import { useSyncExternalStore } from 'react';
import { api, getMe, subscribeMe } from './api.ts';

/**
 * The unread notification count, live: one EventSource on /api/notifications/stream while signed
 * in (the server pushes the count whenever something arrives), shared by the nav badge and the inbox.
 */

let unread = 0;
let source: EventSource | null = null;
let ownerId: string | null = null;
const listeners = new Set<() => void>();
const arrivals = new Set<() => void>();

function emit(next: number) {
  const grew = next > unread;
  unread = next;
  for (const l of listeners) l();
  if (grew) for (const a of arrivals) a();
}

function connect() {
  const id = getMe()?.id ?? null;
  if (id === ownerId) return;
  ownerId = id;
  source?.close();
  source = null;
  emit(0);
  if (!id || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/notifications/stream');
  source.addEventListener('unread', (e) => {
    try {
      const data = JSON.parse((e as MessageEvent<string>).data) as { unread: number };
      emit(data.unread);
    } catch {
      // A malformed frame: the next one carries the count again.
    }
  });
}

subscribeMe(connect);
connect();

export function useUnread(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => unread,
  );
}

/** Called when a new notification arrives (the unread count grew). */
export function onNotification(listener: () => void): () => void {
  arrivals.add(listener);
  return () => arrivals.delete(listener);
}

export async function markAllRead(): Promise<void> {
  const r = await api.call('markNotificationsRead', { body: { all: true } });
  emit(r.unread);
}
