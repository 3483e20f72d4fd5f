import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, setMe } from '../api.ts';
import { AuthShell } from '../components/auth-shell.tsx';
import { Link } from '../components/link.tsx';
import { ErrorText } from '../components/states.tsx';
import { navigate, safeNext, useLocation } from '../router.ts';
import { resetFeeds } from './feed-page.tsx';

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Only what the server cannot say nicely; everything else comes back as the API's own message. */
function validate(username: string, password: string, birthdate: string): string | null {
  if (!username) return 'Choose a username.';
  if (!password) return 'Choose a password.';
  if (!birthdate) return 'Enter your birthday.';
  return null;
}

export function SignupPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [birthdate, setBirthdate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { username: useId(), displayName: useId(), password: useId(), birthdate: useId() };

  useEffect(() => {
    document.title = 'Sign up · Flick';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const invalid = validate(username.trim(), password, birthdate);
    if (invalid) {
      setError(invalid);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api.call('signup', { body: { username: username.trim(), password, birthdate, displayName: displayName.trim() || undefined } });
      setMe(me);
      resetFeeds();
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'too_young') setError(err.message || 'You must be at least 13 years old to use Flick.');
      else setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <AuthShell
      title="Sign up for Flick"
      subtitle="Create a profile, follow creators, and share your own videos."
      footer={
        <>
          Already have an account? <Link to={next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'}>Log in</Link>
        </>
      }
    >
      <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.username}>Username</label>
          <input
            id={ids.username}
            data-testid="signup-username"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            maxLength={24}
            placeholder="letters, digits, _ and ."
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.displayName}>
            Display name <span className="muted">(optional)</span>
          </label>
          <input
            id={ids.displayName}
            data-testid="signup-display-name"
            autoComplete="name"
            maxLength={50}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            data-testid="signup-password"
            type="password"
            autoComplete="new-password"
            placeholder="at least 8 characters"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.birthdate}>Birthday</label>
          <input
            id={ids.birthdate}
            data-testid="signup-birthdate"
            type="date"
            max={today()}
            min="1900-01-01"
            value={birthdate}
            onChange={(e) => setBirthdate(e.target.value)}
          />
          <p className="field-hint">Not shown on your profile. You must be 13 or older.</p>
        </div>
        <ErrorText message={error} />
        <button type="submit" className="btn btn-primary btn-block" data-testid="signup-submit" disabled={busy}>
          {busy ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
    </AuthShell>
  );
}
