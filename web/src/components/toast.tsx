import { useSyncExternalStore } from 'react';

type Toast = { id: number; text: string };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(next: Toast[]) {
  toasts = next;
  for (const l of listeners) l();
}

/** A short message at the bottom of the screen. */
export function showToast(text: string, ms = 2600): void {
  const id = nextId++;
  emit([...toasts.slice(-2), { id, text }]);
  setTimeout(() => emit(toasts.filter((t) => t.id !== id)), ms);
}

export function Toaster() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toaster" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}
