import type { Readable } from 'node:stream';

/** Where media files live. Keys are relative, '/'-separated, and never contain '..'. */
export type BlobStore = {
  /** Copy a local file (or directory tree) into the store under `key`. */
  putFile(key: string, localPath: string): Promise<void>;
  putBuffer(key: string, data: Buffer, contentType?: string): Promise<void>;
  read(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  exists(key: string): Promise<boolean>;
  /** Delete every object whose key starts with `prefix` (a "folder"). */
  deletePrefix(prefix: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Run `fn` with a local path to the object (the file itself for the fs store, a temp copy for remote stores). */
  withLocalFile<T>(key: string, fn: (path: string) => Promise<T>): Promise<T>;
  /** The URL a browser fetches the object from. */
  url(key: string): string;
};

export class BlobKeyError extends Error {
  override name = 'BlobKeyError';
}

export function assertSafeKey(key: string): string {
  if (!key || key.startsWith('/') || key.includes('\\') || key.split('/').some((p) => p === '..' || p === '.' || p === '') || /[\u0000-\u001f]/.test(key)) {
    throw new BlobKeyError(`unsafe blob key: ${JSON.stringify(key)}`);
  }
  return key;
}
