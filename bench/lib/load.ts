import { spawn } from 'node:child_process';
import path from 'node:path';

/** One load run, serialisable so it can cross into the load-generator process. */
export type LoadSpec = {
  url: string;
  path: string;
  /** autocannon: closed-loop connections (rate-limited with `rate`); paced: an open-loop schedule at `rate` on up to `connections` sockets. */
  mode: 'autocannon' | 'paced';
  connections: number;
  seconds: number;
  rate?: number;
  /** Follow nextCursor: each connection requests pages 1..N of one feed session, then starts a new one. */
  sessionPages?: number;
  headers?: Record<string, string>;
  /** Signed-in load: each new session picks the next of these `cookie` header values (round robin); its later pages keep it. */
  cookies?: string[];
};

export type Latency = { p50: number; p90: number; p99: number; max: number; mean: number };
export type LoadResult = {
  seconds: number;
  requests: number;
  rps: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: Latency;
  /** Responses completed in each second of the run. */
  timeline: (Latency & { second: number; count: number })[];
  /** Per page of a session (sessionPages only); ms measured by the generator per request. */
  pages?: (Latency & { page: number; count: number })[];
};

const child = path.join(import.meta.dirname, 'load-child.ts');

/**
 * Run the load generator in its own process so it does not share the server's event loop
 * (it still shares the machine's CPUs).
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // The spec on stdin: with thousands of session cookies it is too long for the command line.
    const p = spawn(process.execPath, [child, '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    p.stdin.end(JSON.stringify(spec));
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult);
      } catch (err) {
        reject(new Error(`load generator printed no result: ${(err as Error).message}`));
      }
    });
  });
}
