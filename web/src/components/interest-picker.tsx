import { useEffect, useId, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { api, errorMessage } from '../api.ts';
import { CloseIcon, SparkleIcon } from './icons.tsx';
import { useDialogFocus } from './sheet.tsx';

/** Cold start: a signed-in user picks a few hashtags once; they seed the For You feed. */

export type InterestOption = { tag: string; videos: number };

const MAX_CHIPS = 24;
const MAX_PICKS = 20;

// --- "has this user chosen yet?" (per user, on this device) -----------------------------------

type Choice = 'done' | 'skipped';
const storageKey = (userId: string) => `flick.interests.${userId}`;
const choiceListeners = new Set<() => void>();
/** Fallback when localStorage is unavailable (private mode etc.): remembered for this page load. */
const memoryChoices = new Map<string, Choice>();

function readChoice(userId: string): Choice | null {
  try {
    const v = localStorage.getItem(storageKey(userId));
    if (v === 'done' || v === 'skipped') return v;
  } catch {
    // fall through to memory
  }
  return memoryChoices.get(userId) ?? null;
}

export function markInterests(userId: string, choice: Choice): void {
  memoryChoices.set(userId, choice);
  try {
    localStorage.setItem(storageKey(userId), choice);
  } catch {
    // remembered in memory only
  }
  for (const l of choiceListeners) l();
}

/** Whether the user has already picked (or skipped) interests; `null` for no user. */
export function useInterestsChosen(userId: string | null): boolean | null {
  return useSyncExternalStore(
    (l) => {
      choiceListeners.add(l);
      const onStorage = (e: StorageEvent) => {
        if (!e.key || e.key.startsWith('flick.interests.')) l();
      };
      window.addEventListener('storage', onStorage);
      return () => {
        choiceListeners.delete(l);
        window.removeEventListener('storage', onStorage);
      };
    },
    () => (userId ? readChoice(userId) !== null : null),
  );
}

// --- the options (fetched once per page load) ---------------------------------------------------

let optionsRequest: Promise<InterestOption[]> | null = null;

function loadOptions(): Promise<InterestOption[]> {
  optionsRequest ??= api.call('interestOptions').then(
    (r) => r.hashtags.slice(0, MAX_CHIPS),
    (err: unknown) => {
      console.warn('could not load interest options', err);
      optionsRequest = null; // try again next time
      return [];
    },
  );
  return optionsRequest;
}

/** The hashtags to offer, or `null` while loading / when not wanted. */
export function useInterestOptions(enabled: boolean): InterestOption[] | null {
  const [options, setOptions] = useState<InterestOption[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void loadOptions().then((o) => {
      if (live) setOptions(o);
    });
    return () => {
      live = false;
    };
  }, [enabled]);
  return enabled ? options : null;
}

// --- the banner ----------------------------------------------------------------------------------

export function InterestBanner({ onOpen, onDismiss }: { onOpen: () => void; onDismiss: () => void }) {
  return (
    <div className="interest-banner" data-testid="interest-banner">
      <button type="button" className="interest-banner-open" data-testid="interest-banner-open" onClick={onOpen}>
        <SparkleIcon />
        <span>Tell us what you like</span>
      </button>
      <button type="button" className="interest-banner-close" aria-label="Dismiss" data-testid="interest-banner-dismiss" onClick={onDismiss}>
        <CloseIcon />
      </button>
    </div>
  );
}

// --- the picker ----------------------------------------------------------------------------------

export type InterestPickerProps = {
  options: InterestOption[];
  onSaved: () => void;
  onSkip: () => void;
  onClose: () => void;
};

/** Full-screen sheet: tap hashtags, then "Show my feed". Escape closes without deciding. */
export function InterestPicker({ options, onSaved, onSkip, onClose }: InterestPickerProps) {
  const titleId = useId();
  const ref = useDialogFocus(onClose);
  const [picked, setPicked] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = (tag: string) => {
    setError(null);
    setPicked((prev) => (prev.includes(tag) ? prev.filter((t) => t !== tag) : prev.length >= MAX_PICKS ? prev : [...prev, tag]));
  };

  const save = async () => {
    if (picked.length === 0 || saving) return;
    setSaving(true);
    setError(null);
    try {
      await api.call('setInterests', { body: { hashtags: picked } });
      onSaved();
    } catch (err) {
      setError(errorMessage(err, "Couldn't save your interests."));
      setSaving(false);
    }
  };

  return createPortal(
    <div className="interest-backdrop">
      <div ref={ref} className="interest-picker" role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} data-testid="interest-picker">
        <header className="interest-header">
          <h2 id={titleId}>What do you like to watch?</h2>
          <p className="interest-lead">Pick a few topics and we’ll tune your For You feed. You can change your mind any time.</p>
        </header>
        <div className="interest-chips" role="group" aria-label="Topics">
          {options.map((o) => {
            const on = picked.includes(o.tag);
            return (
              <button
                key={o.tag}
                type="button"
                className={on ? 'interest-chip is-on' : 'interest-chip'}
                data-testid="interest-chip"
                data-tag={o.tag}
                aria-pressed={on}
                title={`${o.videos} video${o.videos === 1 ? '' : 's'}`}
                disabled={saving}
                onClick={() => toggle(o.tag)}
              >
                #{o.tag}
              </button>
            );
          })}
        </div>
        <footer className="interest-footer">
          {error && (
            <p className="form-error" role="alert" data-testid="interest-error">
              {error}
            </p>
          )}
          <button
            type="button"
            className="btn btn-primary btn-block"
            data-testid="interest-save"
            disabled={picked.length === 0 || saving}
            onClick={() => void save()}
          >
            {saving ? 'Saving…' : picked.length > 0 ? `Show my feed (${picked.length})` : 'Show my feed'}
          </button>
          <button type="button" className="interest-skip" data-testid="interest-skip" disabled={saving} onClick={onSkip}>
            Skip
          </button>
        </footer>
      </div>
    </div>,
    document.body,
  );
}
