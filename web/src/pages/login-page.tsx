import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, setMe } from '../api.ts';
import { AuthShell } from '../components/auth-shell.tsx';
import { Link } from '../components/link.tsx';
import { ErrorText } from '../components/states.tsx';
import { navigate, safeNext, useLocation } from '../router.ts';
import { resetFeeds } from './feed-page.tsx';

export function LoginPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { username: useId(), password: useId() };

  useEffect(() => {
    document.title = 'Log in · Flick';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api.call('login', { body: { username: username.trim(), password } });
      setMe(me);
      resetFeeds();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? err.message || 'Wrong username or password.' : errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Log in to Flick"
      subtitle="Follow creators, upload videos, and pick up where you left off."
      footer={
        <>
          Don’t have an account? <Link to={next !== '/' ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>Sign up</Link>
        </>
      }
    >
      <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.username}>Username</label>
          <input
            id={ids.username}
            data-testid="login-username"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorText message={error} />
        <button type="submit" className="btn btn-primary btn-block" data-testid="login-submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthShell>
  );
}
