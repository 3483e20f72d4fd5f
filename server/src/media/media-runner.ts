import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { MediaTools, ProbeResult } from './media-types.ts';
import { ALLOWED_DEMUXERS } from './probe-rules.ts';

export type RunOptions = {
  /** Expected output duration; without it onProgress is never called before completion. */
  durationMs?: number;
  /** 0..1, monotonic, 1 exactly once on success. */
  onProgress?: (ratio: number) => void;
  /** Aborting kills ffmpeg immediately (SIGKILL) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Run at the lowest CPU priority (nice 19), so foreground encodes (a new upload's first rendition) win the cores. */
  background?: boolean;
};

export type ProbeOptions = { timeoutMs?: number; signal?: AbortSignal };

export type MediaRunner = {
  probe(file: string, opts?: ProbeOptions): Promise<ProbeResult>;
  run(args: string[], opts?: RunOptions): Promise<void>;
};

const STDERR_TAIL_BYTES = 4096;

export class FfmpegError extends Error {
  readonly exitCode: number | null;
  readonly signalName: string | null;
  /** Last ~4 KB of stderr. */
  readonly stderr: string;
  constructor(message: string, exitCode: number | null, signalName: string | null, stderr: string) {
    super(message);
    this.name = 'FfmpegError';
    this.exitCode = exitCode;
    this.signalName = signalName;
    this.stderr = stderr;
  }
}

/** ffprobe could not make sense of the file at all (not media, empty, damaged, disallowed container). */
export class ProbeError extends Error {
  readonly code = 'unreadable';
  readonly stderr: string;
  constructor(message: string, stderr = '') {
    super(message);
    this.name = 'ProbeError';
    this.stderr = stderr;
  }
}

/** The last few meaningful stderr lines; earlier ones are usually stream banners and warnings. */
function summarize(stderr: string, maxLines = 4): string {
  // swscale nags about yuvj420p on every JPEG we write; it would crowd out the real error.
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('deprecated pixel format used'));
  return lines.slice(-maxLines).join(' | ').slice(-800);
}

/** Abort reasons are usually DOMExceptions (which are Errors); anything else gets wrapped. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException(typeof reason === 'string' ? reason : 'This operation was aborted', 'AbortError');
}

type Exit = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * Spawn, keep all of stdout (only when asked) and the tail of stderr, kill on abort.
 * `onStdoutLine` sees stdout line by line instead of it being kept.
 */
function exec(file: string, args: string[], signal: AbortSignal | undefined, onStdoutLine?: (line: string) => void, background = false): Promise<Exit> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (background && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, 19);
      } catch {
        // Not allowed here (some containers): it still runs, just at normal priority.
      }
    }
    let stdout = '';
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!onStdoutLine) return void (stdout += chunk);
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onStdoutLine(pending.slice(0, nl).trim());
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`could not start ${file}: ${err.message}`, null, null, ''));
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortError(signal));
      else resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

export function createMediaRunner(tools: MediaTools): MediaRunner {
  return {
    async probe(file, opts = {}) {
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      // prettier-ignore
      const args = [
        '-v', 'error',
        '-protocol_whitelist', 'file',
        '-format_whitelist', ALLOWED_DEMUXERS,
        '-print_format', 'json', '-show_format', '-show_streams',
        // Absolute, so a name like "-x.mp4" or "concat:a|b" cannot be read as an option or a protocol.
        path.resolve(file),
      ];
      let exit: Exit;
      try {
        exit = await exec(tools.ffprobe, args, signal);
      } catch (err) {
        if (timeout.aborted && !opts.signal?.aborted) throw new ProbeError('probing the file timed out');
        throw err;
      }
      if (exit.code !== 0)
        throw new ProbeError(`not a readable media file: ${summarize(exit.stderr, 2) || `ffprobe exited with ${exit.code ?? exit.signal}`}`, exit.stderr);
      let parsed: Partial<ProbeResult>;
      try {
        parsed = JSON.parse(exit.stdout) as Partial<ProbeResult>;
      } catch {
        throw new ProbeError('ffprobe returned invalid JSON', exit.stderr);
      }
      if (!parsed.format || !Array.isArray(parsed.streams)) throw new ProbeError('not a readable media file: no container information', exit.stderr);
      return { streams: parsed.streams, format: parsed.format };
    },

    async run(args, opts = {}) {
      const { durationMs, onProgress, signal } = opts;
      let last = 0;
      const report = (ratio: number) => {
        if (!onProgress || !(ratio > last)) return;
        last = ratio;
        onProgress(ratio);
      };
      const onLine = (line: string) => {
        // out_time_ms is microseconds too (a long-standing ffmpeg quirk); older builds only emit that one.
        const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
        if (m && durationMs && durationMs > 0) report(Math.min(0.999, Number(m[1]) / 1000 / durationMs));
      };
      const fullArgs = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'warning', '-progress', 'pipe:1', '-nostats', ...args];
      const exit = await exec(tools.ffmpeg, fullArgs, signal, onLine, opts.background);
      if (exit.code !== 0) {
        const why = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        throw new FfmpegError(`ffmpeg ${why}: ${summarize(exit.stderr) || '(no output)'}`, exit.code, exit.signal, exit.stderr);
      }
      report(1);
    },
  };
}

/** Names of the filters (including lavfi sources) a given ffmpeg build has; builds differ a lot. */
export async function listFilters(ffmpeg: string): Promise<Set<string>> {
  const exit = await exec(ffmpeg, ['-hide_banner', '-filters'], undefined);
  if (exit.code !== 0) throw new FfmpegError(`ffmpeg -filters failed: ${summarize(exit.stderr)}`, exit.code, exit.signal, exit.stderr);
  const names = exit.stdout.split('\n').map((l) => /^\s*[A-Z.|]{3}\s+(\w+)\s+\S+->\S+/.exec(l)?.[1]);
  return new Set(names.filter((n): n is string => !!n));
}
