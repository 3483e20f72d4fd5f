import type { z } from 'zod';
import { routes, type RouteDef, type RouteName, type Routes } from './routes.ts';

type Infer<T> = T extends z.ZodType ? z.input<T> : never;
type Out<T> = T extends z.ZodType ? z.output<T> : never;

type Args<R> = (R extends { params: infer P } ? { params: Infer<P> } : { params?: undefined }) &
  (R extends { query: infer Q } ? { query?: Partial<Infer<Q>> } : { query?: undefined }) &
  (R extends { multipart: true } ? { form: FormData } : R extends { body: infer B } ? { body: Infer<B> } : { body?: undefined });

export type ClientResult<K extends RouteName> = Out<Routes[K]['response']>;

/** An error response from the API, carrying its `{error:{code,message}}` body. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export type ClientOptions = {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. a cookie in tests). */
  headers?: () => Record<string, string>;
  onResponse?: (res: Response) => void;
};

export function buildPath(path: string, params?: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, k: string) => {
    const v = params?.[k];
    if (v === undefined) throw new Error(`missing path parameter ${k}`);
    return encodeURIComponent(v);
  });
}

/** A typed client over the route table: `client.call('video', { params: { id } })`. */
export function createClient(opts: ClientOptions = {}) {
  const doFetch = opts.fetch ?? fetch;
  async function call<K extends RouteName>(
    name: K,
    ...rest: Args<Routes[K]> extends { params?: undefined; body?: undefined } ? [args?: Args<Routes[K]>] : [args: Args<Routes[K]>]
  ): Promise<ClientResult<K>> {
    // Widened on purpose: reading .path off `Routes[K]` makes tsc relate every route type to every other (it crashed at ~125 routes).
    const r: RouteDef = routes[name];
    // Same reason: `rest[0] ?? {}` on the generic tuple reduces a union of every route's arguments (tsc ran out of memory at ~160 routes).
    const first: unknown = rest[0];
    const args = (first ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown; form?: FormData };
    let url = (opts.baseUrl ?? '') + buildPath(r.path, args.params);
    if (args.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(args.query)) if (v !== undefined && v !== null) q.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      const qs = q.toString();
      if (qs) url += `?${qs}`;
    }
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers?.() };
    let body: BodyInit | undefined;
    if (args.form) body = args.form;
    else if (args.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(args.body);
    }
    const res = await doFetch(url, { method: r.method, headers, body, credentials: 'include' });
    opts.onResponse?.(res);
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
    }
    return json as ClientResult<K>;
  }
  return { call };
}

export type Client = ReturnType<typeof createClient>;
