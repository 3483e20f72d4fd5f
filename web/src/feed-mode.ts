import { useSyncExternalStore } from 'react';

/**
 * For You mode, remembered on this device: `personal` (the recommender) or `popular`
 * (non-personalised, as some regions require).
 */
export type ForYouMode = 'personal' | 'popular';

const KEY = 'flick:for-you-mode';
const listeners = new Set<() => void>();

function read(): ForYouMode {
  try {
    return localStorage.getItem(KEY) === 'popular' ? 'popular' : 'personal';
  } catch {
    return 'personal';
  }
}

let mode: ForYouMode = read();

function emit() {
  for (const l of listeners) l();
}

// Another tab switched the mode.
window.addEventListener('storage', (e) => {
  if (e.key !== KEY && e.key !== null) return;
  const next = read();
  if (next !== mode) {
    mode = next;
    emit();
  }
});

export function getForYouMode(): ForYouMode {
  return mode;
}

export function setForYouMode(next: ForYouMode): void {
  if (next === mode) return;
  mode = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // Private mode / storage full: the choice lasts for this page only.
  }
  emit();
}

export function useForYouMode(): ForYouMode {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => mode,
  );
}
