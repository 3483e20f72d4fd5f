import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InteractionsBuilder, type Interactions } from './dataset.ts';

/**
 * Interaction-log loaders. Each format is parsed line by line (files are streamed, so KuaiRec's
 * 12M-row big matrix does not have to fit in one string) into (user, item, value, time):
 *
 * - `movielens-csv`: ml-latest(-small) ratings.csv, header `userId,movieId,rating,timestamp`
 *   (columns found by name); value = rating, time = timestamp.
 * - `u.data`: MovieLens 100K, tab-separated `user item rating timestamp`, no header.
 * - `csv`: generic `user,item,value[,timestamp]`, header optional (detected when the value or
 *   timestamp field of the first line is not a number), double-quoted fields allowed. Without a
 *   timestamp column, time = row number, i.e. file order is time order.
 * - `kuairec`: KuaiRec big/small_matrix.csv, header
 *   `user_id,video_id,play_duration,video_duration,time,date,timestamp,watch_ratio`; value =
 *   watch_ratio. Rows whose timestamp is empty/None/nan are kept with time = NaN: the dataset's
 *   authors mark the fully-observed "stage 2" exposures of the small matrix that way. Which
 *   watch ratios count as positive is the evaluation's decision (see KUAIREC_POSITIVE_THRESHOLD).
 */
export type DataFormat = 'movielens-csv' | 'u.data' | 'csv' | 'kuairec';
export const DATA_FORMATS: readonly DataFormat[] = ['movielens-csv', 'u.data', 'csv', 'kuairec'];

export function isDataFormat(s: string): s is DataFormat {
  return (DATA_FORMATS as readonly string[]).includes(s);
}

/**
 * KuaiRec positive: watch_ratio ≥ 2, i.e. the video was watched at least twice through. This is
 * the KuaiRec paper's convention for a "like"-strength signal. Ratio ≥ 1 (watched to the end) is
 * a weaker signal on short videos, which loop automatically and are often finished by default;
 * pass another threshold to the evaluation to use it.
 */
export const KUAIREC_POSITIVE_THRESHOLD = 2;

export class DataFormatError extends Error {
  override name = 'DataFormatError';
  readonly source: string;
  readonly line: number | undefined;
  constructor(source: string, line: number | undefined, message: string) {
    super(line === undefined ? `${source}: ${message}` : `${source}:${line}: ${message}`);
    this.source = source;
    this.line = line;
  }
}

export type LoadResult = {
  data: Interactions;
  /** Lines read, including header and blank lines. */
  lines: number;
  /** Rows without a usable timestamp (time = NaN). */
  missingTime: number;
  header: boolean;
};

export type LineParser = { line(text: string, lineNo: number): void; finish(): LoadResult };

/** Strict number: rejects '', whitespace, 'NaN', 'Infinity', hex-looking garbage stays rejected by isFinite. */
function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  if (t === '') return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a literal quote). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function createLineParser(format: DataFormat, source: string): LineParser {
  const b = new InteractionsBuilder();
  let lines = 0;
  let missingTime = 0;
  let header = false;
  let first = true;
  // Column positions: from a header where the format has one.
  let cols: { user: number; item: number; value: number; time: number; width: number } | undefined;
  const fail = (lineNo: number, msg: string): never => {
    throw new DataFormatError(source, lineNo, msg);
  };
  const field = (f: string[], i: number, lineNo: number, name: string): string => {
    const v = f[i]?.trim();
    if (v === undefined || v === '') return fail(lineNo, `missing ${name}`);
    return v;
  };
  const numeric = (f: string[], i: number, lineNo: number, name: string): number => {
    const raw = field(f, i, lineNo, name);
    const v = num(raw);
    if (Number.isNaN(v)) fail(lineNo, `${name} is not a number: ${JSON.stringify(raw)}`);
    return v;
  };
  const namedHeader = (f: string[], lineNo: number, names: { user: string; item: string; value: string; time: string }) => {
    const idx = (n: string) => f.findIndex((x) => x.trim() === n);
    const c = { user: idx(names.user), item: idx(names.item), value: idx(names.value), time: idx(names.time), width: f.length };
    const missing = (Object.keys(names) as (keyof typeof names)[]).filter((k) => c[k] < 0).map((k) => names[k]);
    if (missing.length) fail(lineNo, `header lacks column(s) ${missing.join(', ')} (got: ${f.join(',')})`);
    return c;
  };

  return {
    line(raw: string, lineNo: number) {
      lines = lineNo;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (text.trim() === '') return;
      const isFirst = first;
      first = false;
      switch (format) {
        case 'movielens-csv': {
          const f = splitCsv(text);
          if (isFirst) {
            if (!Number.isNaN(num(f[0]))) fail(lineNo, 'expected the header userId,movieId,rating,timestamp');
            cols = namedHeader(f, lineNo, { user: 'userId', item: 'movieId', value: 'rating', time: 'timestamp' });
            header = true;
            return;
          }
          const c = cols!;
          if (f.length !== c.width) fail(lineNo, `expected ${c.width} fields, got ${f.length}`);
          b.push(
            field(f, c.user, lineNo, 'userId'),
            field(f, c.item, lineNo, 'movieId'),
            numeric(f, c.value, lineNo, 'rating'),
            numeric(f, c.time, lineNo, 'timestamp'),
          );
          return;
        }
        case 'u.data': {
          const f = text.trim().split(/\s+/);
          if (f.length !== 4) fail(lineNo, `expected 4 whitespace-separated fields (user item rating timestamp), got ${f.length}`);
          b.push(field(f, 0, lineNo, 'user'), field(f, 1, lineNo, 'item'), numeric(f, 2, lineNo, 'rating'), numeric(f, 3, lineNo, 'timestamp'));
          return;
        }
        case 'csv': {
          const f = splitCsv(text);
          if (isFirst) {
            if (f.length < 3 || f.length > 4) fail(lineNo, `expected 3 or 4 fields (user,item,value[,timestamp]), got ${f.length}`);
            const looksHeader = Number.isNaN(num(f[2])) || (f.length === 4 && Number.isNaN(num(f[3])));
            cols = { user: 0, item: 1, value: 2, time: f.length === 4 ? 3 : -1, width: f.length };
            if (looksHeader) {
              header = true;
              return;
            }
          }
          const c = cols!;
          if (f.length !== c.width) fail(lineNo, `expected ${c.width} fields, got ${f.length}`);
          const time = c.time < 0 ? b.length : numeric(f, c.time, lineNo, 'timestamp');
          b.push(field(f, 0, lineNo, 'user'), field(f, 1, lineNo, 'item'), numeric(f, 2, lineNo, 'value'), time);
          return;
        }
        case 'kuairec': {
          const f = splitCsv(text);
          if (isFirst) {
            if (!Number.isNaN(num(f[0]))) fail(lineNo, 'expected the KuaiRec header user_id,video_id,...,timestamp,watch_ratio');
            cols = namedHeader(f, lineNo, { user: 'user_id', item: 'video_id', value: 'watch_ratio', time: 'timestamp' });
            header = true;
            return;
          }
          const c = cols!;
          if (f.length !== c.width) fail(lineNo, `expected ${c.width} fields, got ${f.length}`);
          const rawTime = (f[c.time] ?? '').trim();
          let time = NaN;
          if (rawTime === '' || /^(none|nan|null)$/i.test(rawTime)) missingTime++;
          else time = numeric(f, c.time, lineNo, 'timestamp');
          b.push(field(f, c.user, lineNo, 'user_id'), field(f, c.item, lineNo, 'video_id'), numeric(f, c.value, lineNo, 'watch_ratio'), time);
          return;
        }
        default: {
          const never: never = format;
          throw new DataFormatError(source, undefined, `unknown format ${String(never)}`);
        }
      }
    },
    finish() {
      if (b.length === 0) throw new DataFormatError(source, undefined, lines === 0 ? 'file is empty' : 'no data rows (only a header or blank lines)');
      return { data: b.build(), lines, missingTime, header };
    },
  };
}

/** Parses a whole in-memory text (tests, small files). */
export function parseText(text: string, format: DataFormat, source = '<text>'): LoadResult {
  const p = createLineParser(format, source);
  const lines = text.split('\n');
  // A trailing newline is not an extra line.
  const n = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let i = 0; i < n; i++) p.line(lines[i]!, i + 1);
  return p.finish();
}

/** Streams a file through the parser. Unreadable files become a DataFormatError naming the path. */
export async function loadFile(path: string, format: DataFormat): Promise<LoadResult> {
  const p = createLineParser(format, path);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) p.line(line, ++lineNo);
  } catch (err) {
    if (err instanceof DataFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFormatError(path, undefined, code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`);
  } finally {
    rl.close();
    stream.destroy();
  }
  return p.finish();
}
