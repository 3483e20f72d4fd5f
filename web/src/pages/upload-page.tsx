import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Video, Visibility } from '@flick/contracts';
import { api, useMe } from '../api.ts';
import { CheckIcon, LockIcon, RetryIcon, UploadIcon } from '../components/icons.tsx';
import { Link } from '../components/link.tsx';
import { CenterState, ErrorText, Spinner } from '../components/states.tsx';
import { formatMB } from '../format.ts';
import { loginPath, profilePath, videoPath } from '../router.ts';
import { pauseUpload, resetUpload, resumeUpload, retryProcessing, startUpload, uploadDraft, useUploadState, type UploadState } from '../upload-store.ts';

const MAX_CAPTION = 2200;

const PHASES: Record<Video['phase'], string> = {
  queued: 'Queued',
  probing: 'Checking your video',
  transcoding: 'Converting',
  finishing: 'Finishing up',
  ready: 'Ready',
  failed: 'Failed',
};

const VISIBILITY: { value: Visibility; label: string; hint: string }[] = [
  { value: 'public', label: 'Everyone', hint: 'Anyone can watch, and it can appear in For You.' },
  { value: 'followers', label: 'Followers', hint: 'Only people who follow you can watch.' },
  { value: 'private', label: 'Only me', hint: 'Only you can watch.' },
];

export function UploadPage() {
  const { me, loading } = useMe();
  const state = useUploadState();

  useEffect(() => {
    document.title = 'Upload · Flick';
  }, []);

  // Leaving the site mid-upload loses the in-memory upload (it can be resumed by picking the file again).
  useEffect(() => {
    if (state.step !== 'uploading' || state.paused) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [state]);

  if (loading)
    return (
      <div className="page page-center">
        <Spinner />
      </div>
    );
  if (!me)
    return (
      <div className="page page-center">
        <CenterState title="Log in to upload" icon={<UploadIcon />}>
          <p>Share short videos with everyone on Flick.</p>
          <Link to={loginPath('/upload')} className="btn btn-primary">
            Log in
          </Link>
          <p className="muted small">
            No account? <Link to="/signup">Sign up</Link>
          </p>
        </CenterState>
      </div>
    );

  return (
    <div className="page upload-page">
      <header className="page-header">
        <h1>Upload video</h1>
      </header>
      {state.step === 'idle' && <UploadForm refusal={state.error} />}
      {state.step === 'uploading' && <UploadProgress state={state} />}
      {state.step === 'processing' && <ProcessingStatus state={state} profileHref={profilePath(me.username)} />}
    </div>
  );
}

function UploadForm({ refusal }: { refusal: string | null }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [caption, setCaptionState] = useState(uploadDraft.caption);
  const [visibility, setVisibilityState] = useState<Visibility>(uploadDraft.visibility);
  const [error, setError] = useState<string | null>(refusal);
  // Whether this upload's audio becomes a sound others can use (starts from the account setting).
  const [makeSound, setMakeSound] = useState<boolean | null>(null);
  useEffect(() => {
    void api.call('soundSettings').then(
      (s) => setMakeSound((cur) => cur ?? s.fromUploads),
      () => undefined,
    );
  }, []);
  const setCaption = (v: string) => {
    uploadDraft.caption = v;
    setCaptionState(v);
  };
  const setVisibility = (v: Visibility) => {
    uploadDraft.visibility = v;
    setVisibilityState(v);
  };
  const ids = { file: useId(), caption: useId(), visibility: useId() };

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => {
      URL.revokeObjectURL(url);
      setPreview(null);
    };
  }, [file]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setError('Choose a video to upload.');
      return;
    }
    setError(null);
    startUpload(file, { caption, visibility, ...(makeSound === null ? {} : { sound: makeSound ? 'on' : 'off' }) });
  };

  const hint = VISIBILITY.find((v) => v.value === visibility)?.hint;

  return (
    <form className="upload-form" onSubmit={submit} noValidate>
      <label htmlFor={ids.file} className={file ? 'dropzone has-file' : 'dropzone'}>
        {preview ? (
          <video className="dropzone-preview" src={preview} muted playsInline preload="metadata" />
        ) : (
          <span className="dropzone-icon">
            <UploadIcon />
          </span>
        )}
        <span className="dropzone-text">
          {file ? (
            <>
              <strong className="dropzone-name">{file.name}</strong>
              <span className="muted">{formatMB(file.size)} · tap to change</span>
            </>
          ) : (
            <>
              <strong>Select a video</strong>
              <span className="muted">MP4, MOV or WebM · vertical looks best</span>
            </>
          )}
        </span>
        <input
          id={ids.file}
          data-testid="upload-file"
          type="file"
          accept="video/*"
          className="visually-hidden"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setError(null);
          }}
        />
      </label>

      <div className="field">
        <label htmlFor={ids.caption}>Caption</label>
        <textarea
          id={ids.caption}
          data-testid="upload-caption"
          value={caption}
          maxLength={MAX_CAPTION}
          rows={4}
          placeholder="Describe your video. Add #hashtags and @mention friends."
          onChange={(e) => setCaption(e.target.value.slice(0, MAX_CAPTION))}
        />
        <div className={caption.length > MAX_CAPTION - 100 ? 'counter is-near' : 'counter'} aria-live="polite">
          {caption.length}/{MAX_CAPTION}
        </div>
      </div>

      <div className="field">
        <label htmlFor={ids.visibility}>Who can watch</label>
        <select id={ids.visibility} data-testid="upload-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          {VISIBILITY.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label}
            </option>
          ))}
        </select>
        {hint && <p className="field-hint">{hint}</p>}
      </div>

      {makeSound !== null && (
        <label className="field field-check">
          <input type="checkbox" data-testid="upload-make-sound" checked={makeSound} onChange={(e) => setMakeSound(e.target.checked)} /> Let others use this
          video&apos;s audio as a sound
        </label>
      )}

      <ErrorText message={error} />

      <button type="submit" className="btn btn-primary btn-block" data-testid="upload-submit" disabled={!file}>
        Upload
      </button>
    </form>
  );
}

function UploadProgress({ state }: { state: Extract<UploadState, { step: 'uploading' }> }) {
  const pct = state.total > 0 ? Math.floor((state.sent / state.total) * 100) : 0;
  return (
    <section className="card upload-status" data-testid="upload-progress" data-percent={pct} data-paused={state.paused ? 'true' : 'false'}>
      <div className="status-row">
        <strong className="ellipsis">{state.fileName || 'Your video'}</strong>
        <span className="status-pct">{pct}%</span>
      </div>
      <div className="bar" role="progressbar" aria-label="Upload progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="status-row muted small">
        <span>
          {formatMB(state.sent)} of {formatMB(state.total)}
        </span>
        <span>{state.error ? 'Stopped' : state.paused ? 'Paused' : 'Uploading…'}</span>
      </div>
      <ErrorText message={state.error} />
      <div className="actions">
        {state.paused ? (
          <button type="button" className="btn btn-primary" data-testid="upload-resume" onClick={resumeUpload}>
            {state.error ? 'Try again' : 'Resume'}
          </button>
        ) : (
          <button type="button" className="btn btn-secondary" data-testid="upload-pause" onClick={pauseUpload}>
            Pause
          </button>
        )}
        <button type="button" className="btn btn-ghost" onClick={resetUpload}>
          {state.error ? 'Choose another file' : 'Cancel'}
        </button>
      </div>
    </section>
  );
}

function ProcessingStatus({ state, profileHref }: { state: Extract<UploadState, { step: 'processing' }>; profileHref: string }) {
  const video = state.video;
  const status = video?.status ?? 'processing';
  const phase = video?.phase ?? 'queued';
  const progress = Math.max(0, Math.min(100, video?.progress ?? 0));
  const settled = status === 'failed' || phase === 'ready';
  return (
    <section className="card upload-status" data-testid="processing-status" data-status={status} data-phase={phase} data-progress={progress}>
      <div className="upload-done">
        <span className="upload-done-icon">
          <CheckIcon />
        </span>
        <span>Uploaded</span>
      </div>
      <div className="status-row">
        <strong>{status === 'failed' ? 'Processing failed' : PHASES[phase]}</strong>
        {status !== 'failed' && <span className="status-pct">{progress}%</span>}
      </div>
      {status !== 'failed' && (
        <div
          className={settled ? 'bar' : 'bar is-working'}
          role="progressbar"
          aria-label="Processing progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress}
        >
          <div className="bar-fill" style={{ width: `${progress}%` }} />
        </div>
      )}
      {status === 'processing' && <p className="muted small">You can keep browsing — processing continues on the server.</p>}
      {status === 'ready' && phase !== 'ready' && <p className="muted small">Watchable now; sharper versions are still being made.</p>}
      {video?.visibility === 'private' && (
        <p className="muted small inline-icon">
          <LockIcon width={14} height={14} /> Only you can see this video.
        </p>
      )}
      {status === 'failed' && <ErrorText message={video?.error ?? 'The video could not be processed.'} />}
      {state.pollError && <p className="muted small">Checking status… ({state.pollError})</p>}
      <div className="actions">
        {status === 'ready' && (
          <Link to={videoPath(state.videoId)} className="btn btn-primary" data-testid="watch-link">
            Ready — watch it
          </Link>
        )}
        {status === 'failed' && (
          <button type="button" className="btn btn-primary" data-testid="retry-processing" disabled={state.retrying} onClick={() => void retryProcessing()}>
            <RetryIcon width={18} height={18} /> {state.retrying ? 'Retrying…' : 'Retry'}
          </button>
        )}
        <button type="button" className="btn btn-ghost" onClick={resetUpload}>
          Upload another
        </button>
        <Link to={profileHref} className="btn btn-ghost">
          My videos
        </Link>
      </div>
    </section>
  );
}
