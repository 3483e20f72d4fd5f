/**
 * `npm run bench -- <name> [--key=value …]` runs bench/<name>.bench.ts. Human-readable figures go
 * first; the last line of output is always one JSON object `{"bench":"<name>", …}`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './lib/report.ts';

export const benchDir = import.meta.dirname;
export const availableBenches = (): string[] =>
  fs
    .readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();

function finish(result: BenchResult | { bench: string; error: string }, code: number): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

const [name, ...args] = process.argv.slice(2);
const names = availableBenches();
if (!name || !names.includes(name)) {
  console.error(`${name ? `unknown benchmark "${name}"` : 'which benchmark?'} — usage: npm run bench -- <name> [--key=value …]`);
  for (const n of names) {
    const mod = (await import(pathToFileURL(path.join(benchDir, `${n}.bench.ts`)).href)) as BenchModule;
    console.error(`  ${n.padEnd(12)} ${mod.description}`);
  }
  process.exit(1);
}
try {
  const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.bench.ts`)).href)) as BenchModule;
  finish(await mod.run(args), 0);
} catch (err) {
  console.error(err);
  finish({ bench: name, error: (err as Error).message.split('\n')[0]!.slice(0, 300) }, 1);
}
