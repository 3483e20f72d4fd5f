import { useEffect, useMemo, useState } from 'react';
import type { Edl, Template, Video } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { Link } from '../components/link.tsx';
import { CenterState, Spinner } from '../components/states.tsx';
import { loginPath, navigate, videoPath } from '../router.ts';
import { TimelinePreview, type EditorClip, type EditorText } from '../studio/preview.tsx';
import '../styles/studio.css';

const sec = (ms: number) => (ms / 1000).toFixed(1);
const templateMs = (t: Template) => ((t.edl as Edl).tracks[0]?.clips ?? []).reduce((s, c) => s + (c.outMs - c.inMs) / (c.speed ?? 1), 0);

/** The template gallery: most used first; "Use" asks for a clip per slot and renders. */
export function StudioTemplatesPage() {
  const [items, setItems] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.call('templates').then(
      (r) => setItems(r.items),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  if (error)
    return (
      <CenterState title="Couldn't load templates" tone="error">
        {error}
      </CenterState>
    );
  if (!items) return <Spinner />;
  return (
    <div className="studio-page" data-testid="templates-page">
      <div className="st-row st-head">
        <h1 className="st-title">Templates</h1>
        <Link to="/studio" className="btn btn-secondary">
          Editor
        </Link>
      </div>
      {!items.length && <p className="dv-muted">No templates yet. Make an edit in the editor and share it as a template.</p>}
      <ul className="st-templates">
        {items.map((t) => (
          <li key={t.id} className="st-clip" data-testid="template-card">
            <div className="st-row">
              <strong>{t.title}</strong>
              <span className="dv-muted">by @{t.owner.username}</span>
            </div>
            <span className="dv-muted">
              {t.slots.length} {t.slots.length === 1 ? 'clip' : 'clips'} to fill · {sec(templateMs(t))} s · used {t.useCount}×
            </span>
            <Link to={`/studio/templates/${t.id}`} className="btn btn-primary" data-testid={`use-template-${t.id}`}>
              Use template
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

const editorClip = (v: Video, inMs: number, outMs: number): EditorClip => ({
  videoId: v.id,
  hlsUrl: v.hlsUrl ?? '',
  posterUrl: v.posterUrl,
  thumbnails: v.thumbnails,
  durationMs: v.durationMs ?? 0,
  inMs,
  outMs,
  label: `@${v.author.username}`,
});

/** Use a template: one of my clips per slot (at least as long as the slot), a caption, then render in one step. */
export function UseTemplatePage({ id }: { id: string }) {
  const { me, loading } = useMe();
  const [tpl, setTpl] = useState<Template | null>(null);
  const [mine, setMine] = useState<Video[] | null>(null);
  const [fixed, setFixed] = useState<Record<string, Video>>({});
  const [soundUrl, setSoundUrl] = useState<string | null>(null);
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [caption, setCaption] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'followers' | 'private'>('public');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.call('template', { params: { id } }).then(
      (t) => {
        setTpl(t);
        const edl = t.edl as Edl;
        // The template's own clips and its sound, for the preview.
        for (const c of edl.tracks.flatMap((tr) => tr.clips))
          if ('videoId' in c.source) {
            const vid = c.source.videoId;
            void api.call('video', { params: { id: vid } }).then(
              (v) => setFixed((f) => ({ ...f, [vid]: v })),
              () => undefined,
            );
          }
        const first = edl.audio[0];
        if (first)
          void api.call('sound', { params: { id: first.soundId } }).then(
            (s) => setSoundUrl(s.sound.audioUrl),
            () => undefined,
          );
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [id]);

  useEffect(() => {
    if (!me) return;
    void api.call('myVideos', { query: { limit: 50 } }).then(
      (r) => setMine(r.items.filter((v) => v.status === 'ready')),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [me]);

  const edl = tpl?.edl as Edl | undefined;
  const byId = useMemo(() => new Map((mine ?? []).map((v) => [v.id, v])), [mine]);
  // What the render will show: the first track with slots filled by the picked clips.
  const preview = useMemo(() => {
    if (!edl) return [];
    const out: EditorClip[] = [];
    for (const c of edl.tracks[0]?.clips ?? []) {
      const v = 'slot' in c.source ? byId.get(picked[c.source.slot] ?? '') : fixed[c.source.videoId];
      if (v) out.push(editorClip(v, c.inMs, c.outMs));
    }
    return out;
  }, [edl, byId, picked, fixed]);

  if (error && !tpl)
    return (
      <CenterState title="Template not found" tone="error">
        {error}
      </CenterState>
    );
  if (!tpl || !edl || loading) return <Spinner />;
  if (!me)
    return (
      <CenterState title="Sign in to use this template">
        <Link to={loginPath(`/studio/templates/${id}`)} className="btn btn-primary">
          Sign in
        </Link>
      </CenterState>
    );

  const text: EditorText[] = edl.text.map((t) => ({ content: t.content, startMs: t.startMs, endMs: t.endMs, size: t.size, color: t.color, y: t.y }));
  const ready = tpl.slots.every((s) => picked[s.name]);

  const render = async () => {
    setError(null);
    setStatus('Rendering…');
    try {
      const r = await api.call('createRender', { body: { edl: null, templateId: tpl.id, slots: picked, caption, visibility } });
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

  return (
    <div className="studio-page" data-testid="use-template-page">
      <h1 className="st-title">{tpl.title}</h1>
      <p className="dv-muted">Template by @{tpl.owner.username}</p>
      <TimelinePreview
        clips={preview}
        text={text}
        color={edl.color}
        soundUrl={soundUrl}
        originalVolume={edl.originalVolume}
        soundVolume={edl.audio[0]?.volume ?? 1}
      />
      {tpl.slots.map((s, i) => {
        const fits = (mine ?? []).filter((v) => (v.durationMs ?? 0) >= s.durationMs);
        return (
          <section key={s.name} className="st-section" data-testid={`slot-${i}`}>
            <h2>
              Clip {i + 1} · {sec(s.durationMs)} s
            </h2>
            {!mine && <Spinner />}
            {mine && !fits.length && <p className="dv-muted">None of your clips is long enough ({sec(s.durationMs)} s or more). Upload one first.</p>}
            <div className="st-picker">
              {fits.map((v) => (
                <button
                  key={v.id}
                  type="button"
                  className={picked[s.name] === v.id ? 'st-pick is-picked' : 'st-pick'}
                  aria-pressed={picked[s.name] === v.id}
                  data-testid={`slot-${i}-pick-${v.id}`}
                  onClick={() => setPicked((p) => ({ ...p, [s.name]: v.id }))}
                >
                  {v.posterUrl ? <img src={v.posterUrl} alt="" /> : null}
                  <span>{sec(v.durationMs ?? 0)} s</span>
                </button>
              ))}
            </div>
          </section>
        );
      })}
      <section className="st-section">
        <h2>Post</h2>
        <textarea
          className="st-input"
          placeholder="Caption #hashtags"
          data-testid="template-caption"
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
        {error && (
          <p className="form-error" data-testid="template-error">
            {error}
          </p>
        )}
        {status && (
          <p className="dv-muted" data-testid="template-status">
            {status}
          </p>
        )}
        <button type="button" className="btn btn-primary" data-testid="template-render" disabled={!ready || !!status} onClick={() => void render()}>
          Render & post
        </button>
      </section>
    </div>
  );
}
