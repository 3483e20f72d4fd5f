import { badRequest } from '../http/errors.ts';

/** Opaque page cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'the cursor is not one this server issued');
}

export type TimeCursor = { t: string; id: string };
export const isTimeCursor = (v: unknown): v is TimeCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as TimeCursor).t === 'string' &&
  !Number.isNaN(Date.parse((v as TimeCursor).t)) &&
  typeof (v as TimeCursor).id === 'string' &&
  /^[0-9a-f-]{36}$/.test((v as TimeCursor).id);
