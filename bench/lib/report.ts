/** What every benchmark module exports; run.ts prints `result` as the last line of output. */
export type BenchResult = { bench: string } & Record<string, unknown>;
export type BenchModule = { description: string; run(args: string[]): Promise<BenchResult> };

/** `--key=value` and `--flag` arguments. */
export function parseArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument "${a}" (use --key=value)`);
    out[m[1]!] = m[2] ?? 'true';
  }
  return out;
}

/** Round for display and JSON: 3 significant decimals is plenty for wall times. */
export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** "target X ≤ 8 s: met (2.1 s to spare)" / "missed by 1.3 s". */
export function targetLine(what: string, value: number, target: number, unit: string): string {
  const d = round(Math.abs(target - value));
  return `target ${what} ≤ ${target} ${unit}: ${value <= target ? `met (${d} ${unit} to spare)` : `missed by ${d} ${unit}`}`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
