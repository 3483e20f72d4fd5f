import { useEffect, useId, useRef, useState } from 'react';
import type { Suggestions } from '@flick/contracts';
import { api } from '../api.ts';
import { navigate, profilePath, searchPath, soundPath, tagPath } from '../router.ts';
import { Avatar } from './avatar.tsx';
import { NoteIcon } from './discovery-icons.tsx';
import '../styles/discovery.css';

const DEBOUNCE_MS = 120;

/** A search field with hashtag, people and sound suggestions as you type; Enter searches. */
export function SearchBox({ initial = '', autoFocus = false, onSearch }: { initial?: string; autoFocus?: boolean; onSearch?: (q: string) => void }) {
  const [q, setQ] = useState(initial);
  const [open, setOpen] = useState(false);
  const [sugg, setSugg] = useState<Suggestions | null>(null);
  const latest = useRef(0);
  const listId = useId();

  useEffect(() => setQ(initial), [initial]);

  useEffect(() => {
    const text = q.trim();
    if (!text || text.length > 100) {
      setSugg(null);
      return;
    }
    const n = ++latest.current;
    const timer = setTimeout(() => {
      api.call('searchSuggest', { query: { q: text } }).then(
        (s) => {
          // Answers can arrive out of order: keep only the newest.
          if (n === latest.current) setSugg(s);
        },
        () => undefined,
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q]);

  const submit = (text: string) => {
    const t = text.trim();
    if (!t) return;
    setOpen(false);
    if (onSearch) onSearch(t);
    else navigate(searchPath(t));
  };
  const hasSugg = open && sugg && (sugg.hashtags.length > 0 || sugg.users.length > 0 || sugg.sounds.length > 0);

  return (
    <form
      className="dv-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        submit(q);
      }}
    >
      <input
        type="search"
        className="dv-search-input"
        placeholder="Search videos, people, #hashtags, sounds"
        value={q}
        maxLength={100}
        autoFocus={autoFocus}
        enterKeyHint="search"
        aria-label="Search"
        aria-autocomplete="list"
        aria-controls={listId}
        aria-expanded={Boolean(hasSugg)}
        data-testid="search-input"
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {hasSugg && (
        <ul className="dv-suggest" id={listId} role="listbox" data-testid="search-suggestions">
          {sugg.hashtags.map((h) => (
            <li key={`#${h.tag}`} role="option" aria-selected={false}>
              <button
                type="button"
                data-testid="suggestion-hashtag"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => navigate(tagPath(h.tag), { from: 'search' })}
              >
                <span className="dv-suggest-hash">#</span>
                <span className="dv-suggest-text">{h.tag}</span>
                <span className="dv-muted">{h.videos} videos</span>
              </button>
            </li>
          ))}
          {sugg.users.map((u) => (
            <li key={`@${u.id}`} role="option" aria-selected={false}>
              <button
                type="button"
                data-testid="suggestion-user"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => navigate(profilePath(u.username), { from: 'search' })}
              >
                <Avatar user={u} size={28} />
                <span className="dv-suggest-text">@{u.username}</span>
                <span className="dv-muted">{u.displayName}</span>
              </button>
            </li>
          ))}
          {sugg.sounds.map((x) => (
            <li key={`♪${x.id}`} role="option" aria-selected={false}>
              <button
                type="button"
                data-testid="suggestion-sound"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => navigate(soundPath(x.id), { from: 'search' })}
              >
                <span className="dv-sound-icon" aria-hidden="true">
                  <NoteIcon width={16} height={16} />
                </span>
                <span className="dv-suggest-text">{x.title}</span>
                <span className="dv-muted">{x.useCount} videos</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
