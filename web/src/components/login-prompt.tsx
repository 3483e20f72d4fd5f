import { useSyncExternalStore } from 'react';
import { loginPath } from '../router.ts';
import { Link } from './link.tsx';
import { Sheet } from './sheet.tsx';

/** "Log in to …": one app-wide sheet for actions that need an account (like, not interested…). */

let message: string | null = null;
const listeners = new Set<() => void>();

function set(next: string | null) {
  message = next;
  for (const l of listeners) l();
}

export function promptLogin(why: string): void {
  set(why);
}

export function LoginPrompt() {
  const text = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => message,
  );
  if (text === null) return null;
  const close = () => set(null);
  const next = location.pathname + location.search;
  return (
    <Sheet title="Log in to Flick" onClose={close} testId="login-prompt">
      <p className="sheet-lead">{text}</p>
      <div className="sheet-stack">
        <Link to={loginPath(next)} className="btn btn-primary btn-block" data-testid="login-prompt-login" onClick={close}>
          Log in
        </Link>
        <Link to="/signup" className="btn btn-secondary btn-block" onClick={close}>
          Sign up
        </Link>
      </div>
    </Sheet>
  );
}
