/**
 * Binary snapshot container shared by the models: a JSON header (config, ids, array shapes)
 * followed by raw little-endian typed-array bytes. Factors for 100k items × 64 dims are 25 MB
 * raw; as JSON number text they would be several times that and slow to parse.
 *
 * Layout: "FLRS" | u32 version | u32 header byte length | header JSON | pad to 8 | arrays (each 8-aligned).
 */
export type SnapshotArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type ArrayKind = 'f32' | 'f64' | 'i32' | 'u8';
type ArrayEntry = { name: string; kind: ArrayKind; length: number; offset: number };
type Header = { kind: string; meta: unknown; arrays: ArrayEntry[] };

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

const MAGIC = 0x53524c46; // "FLRS" read as little-endian u32
const VERSION = 1;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function kindOf(a: SnapshotArray): ArrayKind {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeSnapshot(kind: string, meta: unknown, arrays: Record<string, SnapshotArray>): Uint8Array {
  if (!littleEndian) throw new SnapshotError('snapshots assume a little-endian host');
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, kind: kindOf(a), length: a.length, offset });
    offset = align8(offset + a.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ kind, meta, arrays: entries } satisfies Header));
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  const values = Object.values(arrays);
  entries.forEach((e, i) => {
    const a = values[i]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + e.offset);
  });
  return out;
}

export function decodeSnapshot(bytes: Uint8Array, expectKind: string): { meta: unknown; arrays: Map<string, SnapshotArray> } {
  if (bytes.length < 12) throw new SnapshotError('snapshot truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new SnapshotError('not a recsys snapshot (bad magic)');
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw new SnapshotError(`unsupported snapshot version ${version}`);
  const hlen = dv.getUint32(8, true);
  if (12 + hlen > bytes.length) throw new SnapshotError('snapshot truncated in header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as Header;
  if (header.kind !== expectKind) throw new SnapshotError(`snapshot holds a ${header.kind}, expected ${expectKind}`);
  const dataStart = align8(12 + hlen);
  const arrays = new Map<string, SnapshotArray>();
  for (const e of header.arrays) {
    const start = dataStart + e.offset;
    const size = e.kind === 'f64' ? 8 : e.kind === 'u8' ? 1 : 4;
    if (start + e.length * size > bytes.length) throw new SnapshotError(`snapshot truncated in array ${e.name}`);
    // Copy so the model owns aligned memory independent of the caller's buffer.
    const raw = bytes.slice(start, start + e.length * size).buffer;
    arrays.set(
      e.name,
      e.kind === 'f32' ? new Float32Array(raw) : e.kind === 'f64' ? new Float64Array(raw) : e.kind === 'i32' ? new Int32Array(raw) : new Uint8Array(raw),
    );
  }
  return { meta: header.meta, arrays };
}

export function snapshotArray<T extends SnapshotArray>(arrays: Map<string, SnapshotArray>, name: string, ctor: new (n: number) => T): T {
  const a = arrays.get(name);
  if (!(a instanceof ctor)) throw new SnapshotError(`snapshot is missing array ${name}`);
  return a;
}

/** Base64 wrapper so a snapshot can ride inside JSON (e.g. a JSONB column or a debug dump). */
export function snapshotToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function snapshotFromBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}
