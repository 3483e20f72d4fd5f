import { useId, useState } from 'react';
import { ApiError, type Sound } from '@flick/contracts';
import { errorMessage } from '../api.ts';

/** A voice-over on the timeline: an uploaded (private) sound with where it starts, its level and fades. */
export type VoiceOver = { sound: Sound; atMs: number; volume: number; fadeInMs: number; fadeOutMs: number };

/**
 * Upload an audio file as a private voice-over (`POST /api/sounds` with `listed=false`; the server
 * checks it is audio and stores it in the blob store), then place it on the timeline.
 */
async function uploadVoiceOver(file: File): Promise<Sound> {
  const form = new FormData();
  form.set('title', `Voice-over: ${file.name}`.slice(0, 100));
  form.set('listed', 'false');
  form.set('file', file, 'voice');
  const res = await fetch('/api/sounds', { method: 'POST', body: form, credentials: 'include', headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as (Sound & { error?: { code: string; message: string } }) | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'upload_failed', body?.error?.message ?? `upload failed (${res.status})`);
  return body!;
}

const sec = (ms: number) => (ms / 1000).toFixed(1);

/** The editor's voice-over section: upload, then start time, volume and fades (all in the EDL's `audio`). */
export function VoiceOverEditor({ value, onChange, timelineMs }: { value: VoiceOver | null; onChange: (v: VoiceOver | null) => void; timelineMs: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileId = useId();
  const set = (patch: Partial<VoiceOver>) => value && onChange({ ...value, ...patch });
  const maxAt = Math.max(0, timelineMs - 100);
  return (
    <section className="st-section" data-testid="studio-voice">
      <h2>Voice-over</h2>
      {!value && (
        <label htmlFor={fileId} className="btn btn-secondary st-file">
          {busy ? 'Uploading…' : 'Add a voice-over (audio file)'}
          <input
            id={fileId}
            type="file"
            accept="audio/*"
            className="visually-hidden"
            data-testid="studio-voice-file"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (!file) return;
              setBusy(true);
              setError(null);
              uploadVoiceOver(file)
                .then(
                  (sound) => onChange({ sound, atMs: 0, volume: 1, fadeInMs: 0, fadeOutMs: 0 }),
                  (err: unknown) => setError(errorMessage(err)),
                )
                .finally(() => setBusy(false));
            }}
          />
        </label>
      )}
      {error && (
        <p className="form-error" data-testid="studio-voice-error">
          {error}
        </p>
      )}
      {value && (
        <>
          <div className="st-row">
            <span data-testid="studio-voice-title">
              {value.sound.title} · {sec(value.sound.durationMs)} s
            </span>
            <button type="button" className="btn btn-secondary" data-testid="studio-voice-remove" onClick={() => onChange(null)}>
              Remove
            </button>
          </div>
          <label className="st-row">
            Starts at {sec(Math.min(value.atMs, maxAt))} s
            <input
              type="range"
              data-testid="studio-voice-at"
              min={0}
              max={maxAt}
              step={100}
              value={Math.min(value.atMs, maxAt)}
              onChange={(e) => set({ atMs: Number(e.target.value) })}
            />
          </label>
          <label className="st-row">
            Volume {Math.round(value.volume * 100)}%
            <input
              type="range"
              data-testid="studio-voice-volume"
              min={0}
              max={2}
              step={0.05}
              value={value.volume}
              onChange={(e) => set({ volume: Number(e.target.value) })}
            />
          </label>
          <label className="st-row">
            Fade in {sec(value.fadeInMs)} s
            <input
              type="range"
              data-testid="studio-voice-fade-in"
              min={0}
              max={3000}
              step={100}
              value={value.fadeInMs}
              onChange={(e) => set({ fadeInMs: Number(e.target.value) })}
            />
          </label>
          <label className="st-row">
            Fade out {sec(value.fadeOutMs)} s
            <input
              type="range"
              data-testid="studio-voice-fade-out"
              min={0}
              max={3000}
              step={100}
              value={value.fadeOutMs}
              onChange={(e) => set({ fadeOutMs: Number(e.target.value) })}
            />
          </label>
        </>
      )}
    </section>
  );
}

/** The EDL `audio` entry for a voice-over on a timeline of `timelineMs`. */
export const voiceOverAudio = (v: VoiceOver, timelineMs: number) => ({
  soundId: v.sound.id,
  atMs: Math.min(v.atMs, Math.max(0, timelineMs - 100)),
  volume: v.volume,
  fadeInMs: v.fadeInMs,
  fadeOutMs: v.fadeOutMs,
});

/** How loud a voice-over is `relMs` into its `lenMs` on the timeline (its volume times the fades), for the preview. */
export function voiceOverGain(v: { volume: number; fadeInMs: number; fadeOutMs: number }, relMs: number, lenMs: number): number {
  let g = v.volume;
  if (v.fadeInMs > 0 && relMs < v.fadeInMs) g *= Math.max(0, relMs / Math.min(v.fadeInMs, lenMs));
  const fo = Math.min(v.fadeOutMs, lenMs);
  if (fo > 0 && relMs > lenMs - fo) g *= Math.max(0, (lenMs - relMs) / fo);
  return Math.min(1, g);
}
