import { useEffect, useMemo, useState } from 'react';
import type { EdlInput, Sound, SoundSettings, Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Link } from '../components/link.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { loginPath, navigate, useLocation, videoPath } from '../router.ts';
import { TimelinePreview, type EditorClip, type EditorText } from '../studio/preview.tsx';
import { VoiceOverEditor, voiceOverAudio, type VoiceOver } from '../studio/voice-over.tsx';
import '../styles/studio.css';

const STITCH_MAX_MS = 5000;

const toClip = (v: Video, inMs = 0, outMs?: number): EditorClip => ({
  videoId: v.id,
  hlsUrl: v.hlsUrl ?? '',
  posterUrl: v.posterUrl,
  thumbnails: v.thumbnails,
  durationMs: v.durationMs ?? 0,
  inMs,
  outMs: Math.min(outMs ?? v.durationMs ?? 0, v.durationMs ?? 0),
  label: `@${v.author.username}`,
});

/** Filmstrip from the pipeline's thumbnails with two range handles for the in and out points. */
function TrimStrip({ clip, i, onChange, maxLen }: { clip: EditorClip; i: number; onChange: (c: EditorClip) => void; maxLen?: number }) {
  const step = 100;
  return (
    <div className="st-trim">
      <div className="st-strip">
        {(clip.thumbnails.length ? clip.thumbnails : clip.posterUrl ? [clip.posterUrl] : []).map((t, k) => (
          <img key={k} src={t} alt="" />
        ))}
        <div
          className="st-window"
          style={{ left: `${(100 * clip.inMs) / clip.durationMs}%`, width: `${(100 * (clip.outMs - clip.inMs)) / clip.durationMs}%` }}
        />
      </div>
      <input
        type="range"
        aria-label="Start"
        data-testid={`trim-in-${i}`}
        min={0}
        max={clip.durationMs}
        step={step}
        value={clip.inMs}
        onChange={(e) => {
          const inMs = Math.min(Number(e.target.value), clip.outMs - step);
          onChange({ ...clip, inMs, outMs: maxLen ? Math.min(clip.outMs, inMs + maxLen) : clip.outMs });
        }}
      />
      <input
        type="range"
        aria-label="End"
        data-testid={`trim-out-${i}`}
        min={0}
        max={clip.durationMs}
        step={step}
        value={clip.outMs}
        onChange={(e) => {
          const outMs = Math.max(Number(e.target.value), clip.inMs + step);
          onChange({ ...clip, outMs: maxLen ? Math.min(outMs, clip.inMs + maxLen) : outMs });
        }}
      />
      <span className="dv-muted">
        {(clip.inMs / 1000).toFixed(1)}–{(clip.outMs / 1000).toFixed(1)} s
      </span>
    </div>
  );
}

/**
 * The editor: pick clips, trim, reorder, add text and a sound, preview, then render and publish.
 * `?duet=<id>` and `?stitch=<id>` start from someone's video; `?sound=<id>` preselects a sound.
 */
export function StudioPage() {
  const { me, loading } = useMe();
  const { search } = useLocation();
  const duetId = search.get('duet');
  const stitchId = search.get('stitch');
  const soundParam = search.get('sound');
  const mode: 'edit' | 'duet' | 'stitch' = duetId ? 'duet' : stitchId ? 'stitch' : 'edit';
  const [mine, setMine] = useState<Video[] | null>(null);
  const [origin, setOrigin] = useState<EditorClip | null>(null);
  const [clips, setClips] = useState<EditorClip[]>([]);
  const [text, setText] = useState<EditorText[]>([]);
  const [draftText, setDraftText] = useState('');
  const [sounds, setSounds] = useState<Sound[]>([]);
  const [soundId, setSoundId] = useState<string | null>(soundParam);
  const [soundVolume, setSoundVolume] = useState(0.8);
  const [originalVolume, setOriginalVolume] = useState(1);
  const [color, setColor] = useState('none');
  const [caption, setCaption] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'followers' | 'private'>('public');
  const [perms, setPerms] = useState({ duet: true, stitch: true, remix: true, download: true });
  const [draftId, setDraftId] = useState<string | null>(null);
  const [voice, setVoice] = useState<VoiceOver | null>(null);
  const [templateTitle, setTemplateTitle] = useState('');
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [soundSettings, setSoundSettings] = useState<SoundSettings | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!me) return;
    void api.call('myVideos', { query: { limit: 50 } }).then(
      (r) => setMine(r.items.filter((v) => v.status === 'ready')),
      (e: unknown) => setError(errorMessage(e)),
    );
    void api.call('sounds', { query: { sort: 'trending' } }).then(
      (r) => setSounds(r.items),
      () => undefined,
    );
    void api.call('soundSettings').then(setSoundSettings, () => undefined);
  }, [me]);

  useEffect(() => {
    const id = duetId ?? stitchId;
    if (!id) return;
    void api.call('video', { params: { id } }).then(
      (v) => setOrigin(toClip(v, 0, stitchId ? STITCH_MAX_MS : undefined)),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [duetId, stitchId]);

  const sound = sounds.find((s) => s.id === soundId) ?? null;
  const timeline = useMemo(() => (mode === 'stitch' && origin ? [origin, ...clips] : clips), [mode, origin, clips]);
  const totalMs = timeline.reduce((s, c) => s + c.outMs - c.inMs, 0);
  // Stable while nothing changes, so the preview's playhead loop is not restarted on every frame.
  const previewVoice = useMemo(
    () =>
      voice && {
        url: voice.sound.audioUrl,
        atMs: voiceOverAudio(voice, totalMs).atMs,
        durationMs: voice.sound.durationMs,
        volume: voice.volume,
        fadeInMs: voice.fadeInMs,
        fadeOutMs: voice.fadeOutMs,
      },
    [voice, totalMs],
  );

  /** The EDL of what is on screen; `asTemplate`: clips marked as slots become `{ slot }` placeholders and the private voice-over stays out. */
  const edl = (asTemplate = false): EdlInput => {
    let slotNo = 0;
    const source = (c: EditorClip) => (asTemplate && c.asSlot !== false ? { slot: `clip ${++slotNo}` } : { videoId: c.videoId });
    const track = (cs: EditorClip[]) => ({ clips: cs.map((c) => ({ source: source(c), inMs: c.inMs, outMs: c.outMs })) });
    const overlays = text.map((t) => ({ content: t.content, startMs: t.startMs, endMs: Math.min(t.endMs, totalMs), size: t.size, color: t.color, y: t.y }));
    return {
      version: 1,
      output: { size: '720x1280', fit: 'letterbox' },
      layout: mode === 'duet' ? 'duet-side' : 'single',
      tracks: mode === 'duet' && origin ? [track([origin]), track(clips)] : [track(timeline)],
      text: overlays,
      color: color as 'none',
      originalVolume,
      audio: [
        ...(sound ? [{ soundId: sound.id, volume: soundVolume, fadeOutMs: 500 }] : []),
        ...(voice && !asTemplate ? [voiceOverAudio(voice, totalMs)] : []),
      ],
    };
  };

  if (loading) return <Spinner />;
  if (!me)
    return (
      <CenterState title="Sign in to create">
        <Link to={loginPath('/studio')} className="btn btn-primary">
          Sign in
        </Link>
      </CenterState>
    );

  const move = (i: number, d: number) =>
    setClips((cs) => {
      const j = i + d;
      if (j < 0 || j >= cs.length) return cs;
      const next = [...cs];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });

  const publish = async () => {
    setError(null);
    setStatus('Rendering…');
    try {
      const r = await api.call('createRender', { body: { edl: edl(), kind: mode, caption, visibility, permissions: perms, ...(draftId ? { draftId } : {}) } });
      for (;;) {
        await new Promise((res) => setTimeout(res, 700));
        const cur = await api.call('render', { params: { id: r.id } });
        if (cur.status === 'done' && cur.videoId) return navigate(videoPath(cur.videoId));
        if (cur.status === 'failed' || cur.status === 'cancelled') {
          setStatus(null);
          return setError(cur.error ?? 'The render failed');
        }
        setStatus(`Rendering… ${cur.progress}%`);
      }
    } catch (e) {
      setStatus(null);
      setError(errorMessage(e));
    }
  };

  const publishTemplate = async () => {
    setError(null);
    try {
      const t = await api.call('createTemplate', { body: { title: templateTitle.trim(), edl: edl(true) } });
      setTemplateId(t.id);
      setStatus(`Template published with ${t.slots.length} slot${t.slots.length === 1 ? '' : 's'}`);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const changeSoundSettings = async (fromUploads: boolean) => {
    try {
      setSoundSettings(await api.call('updateSoundSettings', { body: { fromUploads } }));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const saveDraft = async () => {
    try {
      const body = { title: caption.slice(0, 100), edl: edl() };
      const d = draftId ? await api.call('updateDraft', { params: { id: draftId }, body }) : await api.call('createDraft', { body });
      setDraftId(d.id);
      setStatus('Draft saved');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <div className="studio-page" data-testid="studio-page">
      <div className="st-row st-head">
        <h1 className="st-title">{mode === 'duet' ? 'Duet' : mode === 'stitch' ? 'Stitch' : 'Create'}</h1>
        <Link to="/studio/templates" className="btn btn-secondary" data-testid="studio-templates-link">
          Templates
        </Link>
      </div>
      {origin && (
        <p className="dv-muted" data-testid="studio-origin">
          {mode === 'duet' ? `Duet with ${origin.label}` : `Stitched from ${origin.label}`}
        </p>
      )}
      <TimelinePreview
        clips={mode === 'duet' ? clips : timeline}
        duet={mode === 'duet' ? origin : null}
        text={text}
        color={color}
        soundUrl={sound?.audioUrl}
        originalVolume={originalVolume}
        soundVolume={soundVolume}
        voice={previewVoice}
      />

      <section className="st-section">
        <h2>Your clips</h2>
        {!mine && <Spinner />}
        <div className="st-picker">
          {mine?.map((v) => (
            <button key={v.id} type="button" className="st-pick" data-testid={`pick-${v.id}`} onClick={() => setClips((cs) => [...cs, toClip(v)])}>
              {v.posterUrl ? <img src={v.posterUrl} alt="" /> : null}
              <span>{((v.durationMs ?? 0) / 1000).toFixed(1)} s</span>
            </button>
          ))}
        </div>
      </section>

      <section className="st-section" data-testid="studio-timeline">
        <h2>Timeline · {(totalMs / 1000).toFixed(1)} s</h2>
        {mode === 'stitch' && origin && (
          <div className="st-clip">
            <strong>{origin.label} (max 5 s)</strong>
            <TrimStrip clip={origin} i={-1} maxLen={STITCH_MAX_MS} onChange={setOrigin} />
          </div>
        )}
        {clips.map((c, i) => (
          <div className="st-clip" key={`${c.videoId}-${i}`} data-testid={`clip-${i}`}>
            <div className="st-row">
              <strong>Clip {i + 1}</strong>
              <button type="button" className="btn btn-secondary" aria-label="Move up" onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" className="btn btn-secondary" aria-label="Move down" data-testid={`clip-down-${i}`} onClick={() => move(i, 1)}>
                ↓
              </button>
              <button type="button" className="btn btn-secondary" onClick={() => setClips((cs) => cs.filter((_, k) => k !== i))}>
                Remove
              </button>
              {mode === 'edit' && (
                <label title="When shared as a template, whoever uses it puts their own clip here">
                  <input
                    type="checkbox"
                    data-testid={`clip-slot-${i}`}
                    checked={c.asSlot !== false}
                    onChange={(e) => setClips((cs) => cs.map((x, k) => (k === i ? { ...x, asSlot: e.target.checked } : x)))}
                  />{' '}
                  Template slot
                </label>
              )}
            </div>
            <TrimStrip clip={c} i={i} onChange={(n) => setClips((cs) => cs.map((x, k) => (k === i ? n : x)))} />
          </div>
        ))}
      </section>

      <section className="st-section">
        <h2>Text</h2>
        <div className="st-row">
          <input
            className="st-input"
            placeholder="Add text"
            data-testid="studio-text-input"
            value={draftText}
            onChange={(e) => setDraftText(e.target.value)}
            maxLength={200}
          />
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="studio-text-add"
            disabled={!draftText.trim()}
            onClick={() => {
              setText((ts) => [...ts, { content: draftText.trim(), startMs: 0, endMs: Math.max(500, totalMs), size: 72, color: '#ffffff', y: 0.2 }]);
              setDraftText('');
            }}
          >
            Add
          </button>
        </div>
        {text.map((t, i) => (
          <div className="st-row" key={i}>
            <span>“{t.content}”</span>
            <button type="button" className="btn btn-secondary" onClick={() => setText((ts) => ts.filter((_, k) => k !== i))}>
              Remove
            </button>
          </div>
        ))}
        <label className="st-row">
          Look
          <select value={color} onChange={(e) => setColor(e.target.value)} data-testid="studio-color">
            {['none', 'vivid', 'mono', 'warm', 'cool', 'fade'].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </section>

      <section className="st-section">
        <h2>Sound</h2>
        <select value={soundId ?? ''} onChange={(e) => setSoundId(e.target.value || null)} data-testid="studio-sound">
          <option value="">Original audio only</option>
          {sounds.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title} · {s.useCount} videos
            </option>
          ))}
        </select>
        <label className="st-row">
          Original volume
          <input type="range" min={0} max={1} step={0.05} value={originalVolume} onChange={(e) => setOriginalVolume(Number(e.target.value))} />
        </label>
        {sound && (
          <label className="st-row">
            Sound volume
            <input type="range" min={0} max={1} step={0.05} value={soundVolume} onChange={(e) => setSoundVolume(Number(e.target.value))} />
          </label>
        )}
      </section>

      <VoiceOverEditor value={voice} onChange={setVoice} timelineMs={totalMs} />

      <section className="st-section">
        <h2>Publish</h2>
        <textarea
          className="st-input"
          placeholder="Caption #hashtags"
          data-testid="studio-caption"
          value={caption}
          onChange={(e) => setCaption(e.target.value)}
        />
        <label className="st-row">
          Who can watch
          <select value={visibility} onChange={(e) => setVisibility(e.target.value as 'public')}>
            <option value="public">Everyone</option>
            <option value="followers">Followers</option>
            <option value="private">Only me</option>
          </select>
        </label>
        <div className="st-row">
          {(['duet', 'stitch', 'remix', 'download'] as const).map((p) => (
            <label key={p}>
              <input type="checkbox" checked={perms[p]} data-testid={`perm-${p}`} onChange={(e) => setPerms({ ...perms, [p]: e.target.checked })} /> Allow {p}
            </label>
          ))}
        </div>
        {error && (
          <p className="form-error" data-testid="studio-error">
            {error}
          </p>
        )}
        {status && (
          <p className="dv-muted" data-testid="studio-status">
            {status}
          </p>
        )}
        <div className="st-row">
          <button type="button" className="btn btn-secondary" data-testid="studio-save-draft" onClick={() => void saveDraft()}>
            Save draft
          </button>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="studio-publish"
            disabled={!clips.length || !!status?.startsWith('Rendering')}
            onClick={() => void publish()}
          >
            Render & post
          </button>
        </div>
      </section>

      {mode === 'edit' && (
        <section className="st-section" data-testid="studio-template-publish">
          <h2>Share as a template</h2>
          <p className="dv-muted">
            Clips ticked “Template slot” are placeholders: whoever uses the template fills each with one of their own clips (as long as yours). The other clips,
            the text, the look and the library sound stay{voice ? '; your voice-over stays private and is left out' : ''}.
          </p>
          <div className="st-row">
            <input
              className="st-input"
              placeholder="Template name"
              data-testid="template-title"
              maxLength={100}
              value={templateTitle}
              onChange={(e) => setTemplateTitle(e.target.value)}
            />
            <button
              type="button"
              className="btn btn-secondary"
              data-testid="template-publish"
              disabled={!clips.length || !templateTitle.trim() || !clips.some((c) => c.asSlot !== false)}
              onClick={() => void publishTemplate()}
            >
              Publish template
            </button>
          </div>
          {templateId && (
            <Link to={`/studio/templates/${templateId}`} data-testid="template-published">
              Open your template
            </Link>
          )}
        </section>
      )}

      {soundSettings && (
        <section className="st-section">
          <h2>Your sounds</h2>
          <label className="st-row">
            <input
              type="checkbox"
              data-testid="sound-setting-from-uploads"
              checked={soundSettings.fromUploads}
              onChange={(e) => void changeSoundSettings(e.target.checked)}
            />
            Turn the audio of my uploads into sounds others can use (each upload can still choose)
          </label>
        </section>
      )}
    </div>
  );
}
