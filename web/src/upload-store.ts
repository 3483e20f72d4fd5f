import { useSyncExternalStore } from 'react';
import { DetailedError, Upload } from 'tus-js-client';
import type { Video, Visibility } from '@flick/contracts';
import { api, errorMessage } from './api.ts';

/**
 * The current upload, kept outside React so it carries on while the person browses the app:
 * a resumable tus upload, then polling the video while the server processes it.
 */

export type UploadState =
  /** `error`: why the last upload was refused (shown on the form). */
  | { step: 'idle'; error: string | null }
  | { step: 'uploading'; fileName: string; sent: number; total: number; paused: boolean; error: string | null }
  | { step: 'processing'; videoId: string; video: Video | null; pollError: string | null; retrying: boolean };

const CHUNK_SIZE = 5 * 1024 * 1024;
const POLL_MS = 1000;

let state: UploadState = { step: 'idle', error: null };

/** The form's caption and visibility, kept across a refused upload or a trip elsewhere in the app. */
export const uploadDraft: { caption: string; visibility: Visibility } = { caption: '', visibility: 'public' };
let upload: Upload | null = null;
let pollTimer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;
const listeners = new Set<() => void>();

function set(next: UploadState) {
  state = next;
  for (const l of listeners) l();
}

export function useUploadState(): UploadState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

export function isUploadBusy(): boolean {
  return state.step === 'uploading' && !state.error;
}

/** A 4xx answer other than the retryable ones: resuming cannot help (not a video, too large, signed out…). */
function isRefusal(err: Error): boolean {
  const status = err instanceof DetailedError ? (err.originalResponse?.getStatus() ?? 0) : 0;
  return status >= 400 && status < 500 && ![408, 409, 423, 429].includes(status);
}

/** The server's `{error:{message}}` from a failed tus request, or a readable fallback. */
export function tusErrorMessage(err: Error): string {
  if (err instanceof DetailedError && err.originalResponse) {
    const res = err.originalResponse;
    try {
      const body: unknown = JSON.parse(res.getBody());
      if (typeof body === 'object' && body !== null && 'error' in body) {
        const e = (body as { error?: { message?: unknown } }).error;
        if (typeof e?.message === 'string' && e.message) return e.message;
      }
    } catch {
      // not JSON
    }
    const status = res.getStatus();
    if (status === 401) return 'Your session has expired. Log in again to upload.';
    if (status === 413) return 'This file is too large to upload.';
    if (status >= 500) return 'The server had a problem receiving your video. Try again.';
    if (status > 0) return `Upload failed (HTTP ${status}).`;
  }
  return 'Upload interrupted. Check your connection, then resume.';
}

export function startUpload(
  file: File,
  opts: { caption: string; visibility: Visibility; /** Turn the audio into a sound (absent: the account setting). */ sound?: 'on' | 'off' },
): void {
  resetUpload();
  const gen = ++generation;
  set({ step: 'uploading', fileName: file.name, sent: 0, total: file.size, paused: false, error: null });
  const current = new Upload(file, {
    endpoint: '/api/uploads',
    chunkSize: CHUNK_SIZE,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    removeFingerprintOnSuccess: true,
    metadata: {
      filename: file.name,
      filetype: file.type || 'application/octet-stream',
      caption: opts.caption,
      visibility: opts.visibility,
      ...(opts.sound ? { sound: opts.sound } : {}),
    },
    onProgress(sent, total) {
      if (gen !== generation || state.step !== 'uploading') return;
      set({ ...state, sent, total });
    },
    onSuccess(payload) {
      if (gen !== generation) return;
      upload = null;
      uploadDraft.caption = '';
      const id = payload.lastResponse.getHeader('Flick-Video-Id') ?? payload.lastResponse.getHeader('flick-video-id');
      if (id) beginProcessing(id, gen);
      else void findNewestVideo(gen);
    },
    onError(err) {
      if (gen !== generation || state.step !== 'uploading') return;
      if (isRefusal(err)) {
        upload = null;
        set({ step: 'idle', error: tusErrorMessage(err) });
      } else {
        set({ ...state, paused: true, error: tusErrorMessage(err) });
      }
    },
  });
  upload = current;
  // Pick up where an interrupted upload of the same file left off.
  current.findPreviousUploads().then(
    (previous) => {
      if (gen !== generation) return;
      const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
      if (latest) current.resumeFromPreviousUpload(latest);
      current.start();
    },
    () => {
      if (gen === generation) current.start();
    },
  );
}

/** A resumed upload that was already complete may answer without the id header: use the newest video. */
async function findNewestVideo(gen: number) {
  try {
    const list = await api.call('myVideos', { query: { limit: 1 } });
    const first = list.items[0];
    if (gen !== generation) return;
    if (first) beginProcessing(first.id, gen);
    else set({ step: 'idle', error: 'Upload finished, but the video could not be found.' });
  } catch (err) {
    if (gen === generation) set({ step: 'idle', error: errorMessage(err) });
  }
}

export function pauseUpload(): void {
  if (!upload || state.step !== 'uploading' || state.paused) return;
  void upload.abort();
  set({ ...state, paused: true });
}

export function resumeUpload(): void {
  if (!upload || state.step !== 'uploading' || !state.paused) return;
  set({ ...state, paused: false, error: null });
  upload.start();
}

/** Stops any upload or polling and goes back to an empty form. */
export function resetUpload(): void {
  generation++;
  if (upload) void upload.abort().catch(() => undefined);
  upload = null;
  if (pollTimer) clearTimeout(pollTimer);
  pollTimer = undefined;
  set({ step: 'idle', error: null });
}

function isSettled(video: Video): boolean {
  return video.status === 'failed' || video.phase === 'ready' || video.phase === 'failed';
}

function beginProcessing(videoId: string, gen: number) {
  set({ step: 'processing', videoId, video: null, pollError: null, retrying: false });
  void poll(videoId, gen);
}

async function poll(videoId: string, gen: number) {
  pollTimer = undefined;
  try {
    const video = await api.call('video', { params: { id: videoId } });
    if (gen !== generation || state.step !== 'processing') return;
    set({ ...state, video, pollError: null });
    if (isSettled(video)) return;
  } catch (err) {
    if (gen !== generation || state.step !== 'processing') return;
    set({ ...state, pollError: errorMessage(err) });
  }
  pollTimer = setTimeout(() => void poll(videoId, gen), POLL_MS);
}

/** Asks the server to process a failed video again, then follows it. */
export async function retryProcessing(): Promise<void> {
  if (state.step !== 'processing' || state.retrying) return;
  const gen = generation;
  const { videoId } = state;
  set({ ...state, retrying: true, pollError: null });
  try {
    const video = await api.call('retryVideo', { params: { id: videoId } });
    if (gen !== generation || state.step !== 'processing') return;
    set({ ...state, video, retrying: false });
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = setTimeout(() => void poll(videoId, gen), POLL_MS);
  } catch (err) {
    if (gen === generation && state.step === 'processing') set({ ...state, retrying: false, pollError: errorMessage(err) });
  }
}
