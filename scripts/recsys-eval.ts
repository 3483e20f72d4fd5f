// Offline evaluation of the For You models (ItemPop, item KNN, implicit MF) on an interaction log.
//   node scripts/recsys-eval.ts --data FILE --format movielens-csv|u.data|csv|kuairec --protocol A|B --out results.json
//        [--models itempop,knn,mf] [--folds 5] [--seed 1] [--threshold X] [--tune]
//        [--test-fraction 0.2] [--days 20] [--sample 1] [--mf [engine,]key=value,...] [--knn key=value,...] [--quiet]
// Protocols and method: server/src/recsys/README.md.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { describe, positives } from '../server/src/recsys/eval/dataset.ts';
import { DATA_FORMATS, DataFormatError, isDataFormat, KUAIREC_POSITIVE_THRESHOLD, loadFile } from '../server/src/recsys/eval/loaders.ts';
import { MFConfigError } from '../server/src/recsys/mf.ts';
import { ENGINE_MF_CONFIG } from '../server/src/modules/recsys/engine.ts';
import { DEFAULT_HYPERPARAMETERS, isModelName, MODEL_NAMES, type Hyperparameters, type ModelName } from '../server/src/recsys/eval/models.ts';
import { runProtocolA, type ProtocolAResult } from '../server/src/recsys/eval/protocol-a.ts';
import { runProtocolB, VARIANTS, type ProtocolBResult, type Variant } from '../server/src/recsys/eval/protocol-b.ts';
import { DEFAULT_TUNE_GRID, runTuning, type TuneResult } from '../server/src/recsys/eval/tune.ts';

class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE =
  'usage: node scripts/recsys-eval.ts --data FILE --format ' +
  DATA_FORMATS.join('|') +
  ' [--protocol A|B] [--out results.json] [--models itempop,knn,mf] [--folds 5] [--seed 1] [--threshold X] [--tune]' +
  ' [--test-fraction 0.2] [--days 20] [--sample 1] [--mf [engine,]key=value,...] [--knn key=value,...] [--quiet]';

type Options = {
  data: string;
  format: (typeof DATA_FORMATS)[number];
  protocol: 'A' | 'B';
  out: string | undefined;
  models: ModelName[];
  folds: number;
  seed: number;
  threshold: number | undefined;
  tune: boolean;
  testFraction: number;
  days: number;
  sample: number;
  variants: Variant[];
  hp: Hyperparameters;
  quiet: boolean;
};

function number(name: string, raw: string | undefined, fallback: number, check: (v: number) => boolean, what: string): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  return v;
}

/** `key=value,key=value` onto a config whose keys are all numeric; a leading `preset` name applies `presets[name]` first. */
function overrides<T extends object>(flag: string, raw: string | undefined, base: T, presets: Record<string, Partial<T>> = {}): T {
  if (raw === undefined) return base;
  const out = { ...base } as Record<string, unknown>;
  const parts = raw.split(',');
  const preset = parts[0] !== undefined && Object.hasOwn(presets, parts[0]) ? presets[parts.shift()!] : undefined;
  if (preset) Object.assign(out, preset);
  for (const part of parts) {
    const [key, value, ...rest] = part.split('=');
    if (key === undefined || value === undefined || rest.length) throw new UsageError(`--${flag} expects key=value pairs, got ${JSON.stringify(part)}`);
    if (!(key in out) || typeof out[key] !== 'number') throw new UsageError(`--${flag}: unknown parameter ${key} (known: ${Object.keys(base).join(', ')})`);
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag}: ${key} must be a number, got ${JSON.stringify(value)}`);
    out[key] = v;
  }
  return out as T;
}

function parse(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        format: { type: 'string' },
        protocol: { type: 'string' },
        out: { type: 'string' },
        models: { type: 'string' },
        folds: { type: 'string' },
        seed: { type: 'string' },
        threshold: { type: 'string' },
        tune: { type: 'boolean' },
        'test-fraction': { type: 'string' },
        days: { type: 'string' },
        sample: { type: 'string' },
        variants: { type: 'string' },
        mf: { type: 'string' },
        knn: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.data) throw new UsageError('--data FILE is required');
  if (!values.format) throw new UsageError(`--format is required (${DATA_FORMATS.join(', ')})`);
  if (!isDataFormat(values.format)) throw new UsageError(`unknown format ${JSON.stringify(values.format)} (known: ${DATA_FORMATS.join(', ')})`);
  const protocol = (values.protocol ?? 'A').toUpperCase();
  if (protocol !== 'A' && protocol !== 'B') throw new UsageError(`--protocol must be A or B, got ${JSON.stringify(values.protocol)}`);
  const models = (values.models ?? MODEL_NAMES.join(',')).split(',').map((s) => s.trim());
  const unknown = models.filter((m) => !isModelName(m));
  if (unknown.length || models.length === 0) throw new UsageError(`unknown model(s) ${unknown.join(', ')} (known: ${MODEL_NAMES.join(', ')})`);
  const variants = (values.variants ?? VARIANTS.join(',')).split(',').map((s) => s.trim());
  if (variants.some((v) => !(VARIANTS as readonly string[]).includes(v))) throw new UsageError(`--variants must be a list of ${VARIANTS.join(', ')}`);
  // MovieLens: every rating is a positive (protocol A's published convention). Generic csv: a
  // value ≤ 0 is negative feedback, not a positive. KuaiRec: see KUAIREC_POSITIVE_THRESHOLD.
  const defaultThreshold = values.format === 'kuairec' ? KUAIREC_POSITIVE_THRESHOLD : values.format === 'csv' ? Number.MIN_VALUE : undefined;
  return {
    data: values.data,
    format: values.format,
    protocol,
    out: values.out,
    models: [...new Set(models)] as ModelName[],
    folds: number('folds', values.folds, 5, (v) => Number.isInteger(v) && v >= 2 && v <= 50, 'an integer in 2..50'),
    seed: number('seed', values.seed, 1, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer'),
    threshold: values.threshold === undefined ? defaultThreshold : number('threshold', values.threshold, 0, () => true, 'a number'),
    tune: values.tune ?? false,
    testFraction: number('test-fraction', values['test-fraction'], 0.2, (v) => v > 0 && v < 1, 'in (0, 1)'),
    days: number('days', values.days, 20, (v) => Number.isInteger(v) && v >= 1 && v <= 10_000, 'an integer ≥ 1'),
    sample: number('sample', values.sample, 1, (v) => v > 0 && v <= 1, 'in (0, 1]'),
    variants: variants as Variant[],
    hp: {
      itempop: { ...DEFAULT_HYPERPARAMETERS.itempop },
      // `--mf engine`: exactly the MF settings the live feed runs with.
      mf: overrides('mf', values.mf, { ...DEFAULT_HYPERPARAMETERS.mf }, { engine: ENGINE_MF_CONFIG }),
      knn: overrides('knn', values.knn, { ...DEFAULT_HYPERPARAMETERS.knn }),
    },
    quiet: values.quiet ?? false,
  };
}

/** A one-line progress bar on stderr; on a non-terminal, a plain line every 10%. */
function progressBar(quiet: boolean): { update: (done: number, total: number, label: string) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  const start = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  return {
    update(done, total, label) {
      if (quiet) return;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const secs = ((performance.now() - start) / 1000).toFixed(0);
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && frac < 1) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(frac * width);
        const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${secs}s ${label}`;
        process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 120) - 1).padEnd((process.stderr.columns || 120) - 1)}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        process.stderr.write(`${(frac * 100).toFixed(0).padStart(3)}% ${secs}s ${label}\n`);
      }
    },
    end() {
      if (!quiet && tty) process.stderr.write('\n');
    },
  };
}

const f4 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const t0 = performance.now();
  const bar = progressBar(opts.quiet);
  const loaded = await loadFile(opts.data, opts.format);
  const data = positives(loaded.data, opts.threshold);
  if (data.length === 0) throw new UsageError(`no positive interactions${opts.threshold === undefined ? '' : ` at threshold ${opts.threshold}`}`);
  const stats = describe(data);
  let hp = opts.hp;
  let tuning: TuneResult | undefined;
  if (opts.tune) {
    // Only the grids of the models being evaluated.
    const grid = { mf: opts.models.includes('mf') ? DEFAULT_TUNE_GRID.mf : [], knn: opts.models.includes('knn') ? DEFAULT_TUNE_GRID.knn : [] };
    tuning = runTuning(data, { folds: opts.folds, seed: opts.seed, base: hp, grid, onProgress: (d, t, l) => bar.update(d, t, l) });
    hp = tuning.best;
  }
  const models: Record<string, Record<string, number>> = {};
  const ratioVsItemPop: Record<string, number> = {};
  let details: ProtocolAResult | ProtocolBResult;
  let summary: string;
  if (opts.protocol === 'A') {
    const r = runProtocolA(data, { folds: opts.folds, seed: opts.seed, models: opts.models, hp, onProgress: (d, t, l) => bar.update(d, t, l) });
    details = r;
    for (const [name, m] of Object.entries(r.models)) {
      models[name] = {
        'ndcg@10': m['ndcg@10'],
        'p@10': m['p@10'],
        'r@10': m['r@10'],
        'mrr@10': m['mrr@10'],
        'coverage@10': m['coverage@10'],
        'ndcg@10.std': m.std['ndcg@10'],
      };
    }
    const pop = r.models.itempop?.['ndcg@10'];
    if (pop) for (const [name, m] of Object.entries(r.models)) ratioVsItemPop[name] = m['ndcg@10'] / pop;
    summary = table(
      ['model', 'NDCG@10', '±std', 'P@10', 'R@10', 'MRR@10', 'cov@10', 'vs ItemPop', 'fit s'],
      Object.entries(r.models).map(([name, m]) => [
        name,
        f4(m['ndcg@10']),
        f4(m.std['ndcg@10']),
        f4(m['p@10']),
        f4(m['r@10']),
        f4(m['mrr@10']),
        f4(m['coverage@10']),
        ratioVsItemPop[name] === undefined ? '-' : `${ratioVsItemPop[name].toFixed(2)}×`,
        m.fitSeconds.toFixed(1),
      ]),
    );
  } else {
    const r = runProtocolB(data, {
      testFraction: opts.testFraction,
      days: opts.days,
      sample: opts.sample,
      seed: opts.seed,
      models: opts.models,
      variants: opts.variants,
      hp,
      onProgress: (d, t, l) => bar.update(d, t, l),
    });
    details = r;
    for (const [name, m] of Object.entries(r.runs)) {
      models[name] = {
        'ndcg@10': m['ndcg@10'],
        'recall@20': m['recall@20'],
        'coverage@10': m['coverage@10'],
        popularityPercentile: m.popularityPercentile,
        novelty: m.novelty,
      };
      const variant = name.slice(name.indexOf('-') + 1);
      const pop = r.runs[`itempop-${variant}`]?.['ndcg@10'];
      if (pop) ratioVsItemPop[name] = m['ndcg@10'] / pop;
    }
    summary = table(
      ['model', 'NDCG@10', 'Recall@20', 'cov@10', 'pop pct', 'novelty', 'cold NDCG', 'warm NDCG', 'vs ItemPop', 'fit s', 'replay s'],
      Object.entries(r.runs).map(([name, m]) => [
        name,
        f4(m['ndcg@10']),
        f4(m['recall@20']),
        f4(m['coverage@10']),
        f4(m.popularityPercentile),
        m.novelty.toFixed(2),
        f4(m.coldUserEvents['ndcg@10']),
        f4(m.warmUserEvents['ndcg@10']),
        ratioVsItemPop[name] === undefined ? '-' : `${ratioVsItemPop[name].toFixed(2)}×`,
        m.fitSeconds.toFixed(1),
        m.replaySeconds.toFixed(1),
      ]),
    );
    summary =
      `test stream ${r.split.testEvents} events (${r.split.scoredEvents} scored) from ${r.split.cutTime} to ${r.split.endTime}; ` +
      `${r.split.testUsers} users, ${r.split.coldTestUsers} of them new; ${r.split.days} simulated days\n` +
      summary;
  }
  bar.end();
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    dataset: {
      path: opts.data,
      format: opts.format,
      lines: loaded.lines,
      events: loaded.data.length,
      positives: data.length,
      positiveRule: opts.threshold === undefined ? 'every event' : opts.threshold === Number.MIN_VALUE ? 'value > 0' : `value ≥ ${opts.threshold}`,
      users: stats.users,
      items: stats.items,
      density: stats.density,
    },
    protocol: opts.protocol,
    seed: opts.seed,
    folds: opts.protocol === 'A' ? opts.folds : undefined,
    models,
    ratioVsItemPop,
    hyperparameters: hp,
    tuning,
    details,
    seconds,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  console.log(`${opts.data} (${opts.format}): ${stats.users} users, ${stats.items} items, ${data.length} positives; protocol ${opts.protocol}`);
  console.log(summary);
  console.log(`${seconds.toFixed(1)} s`);
  if (opts.out) {
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    console.log(`results written to ${opts.out}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message} (--help for usage)`);
    process.exit(2);
  }
  // Bad data and bad hyper-parameters are the user's to fix: one line, no stack.
  if (err instanceof DataFormatError || err instanceof RangeError || err instanceof MFConfigError) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
