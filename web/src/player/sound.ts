import { useSyncExternalStore } from 'react';

/** The unmute choice, remembered for the browser session so later videos play with sound. */

const KEY = 'flick:sound';
const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return sessionStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

let soundOn = read();

export function setSoundOn(on: boolean): void {
  soundOn = on;
  try {
    sessionStorage.setItem(KEY, on ? 'on' : 'off');
  } catch {
    // storage may be unavailable (private mode); the in-memory choice still holds
  }
  for (const l of listeners) l();
}

export function useSoundOn(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => soundOn,
  );
}
