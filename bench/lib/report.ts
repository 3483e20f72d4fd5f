import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

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

/** Machine-wide CPU time from /proc/stat (Linux; undefined elsewhere), in ms. */
export function machineCpu(): { busyMs: number; totalMs: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
    const hz = 10; // USER_HZ is 100 on Linux
    return { busyMs: (user + nice + system + irq + softirq + steal) * hz, totalMs: (user + nice + system + idle + iowait + irq + softirq + steal) * hz };
  } catch {
    return undefined;
  }
}

/**
 * Who used the CPUs during a run, in % of one core: this process (the server), the load generator
 * (its own figure), and everything else on the machine — other work on a shared box skews latency.
 */
export function cpuMeter() {
  const m0 = machineCpu();
  const p0 = process.cpuUsage();
  const t0 = performance.now();
  return (childMs = 0) => {
    const m1 = machineCpu();
    const p = process.cpuUsage(p0);
    const wall = performance.now() - t0;
    const self = (p.user + p.system) / 1000;
    const pct = (ms: number) => Math.round((100 * ms) / wall);
    const busy = m0 && m1 ? m1.busyMs - m0.busyMs : NaN;
    return {
      serverPct: pct(self),
      loadGenPct: pct(childMs),
      otherPct: Number.isNaN(busy) ? NaN : Math.max(0, pct(busy - self - childMs)),
      machineBusyPct: pct(busy),
      capacityPct: 100 * cpus().length,
    };
  };
}
export type CpuShare = ReturnType<ReturnType<typeof cpuMeter>>;
export const cpuLine = (c: CpuShare) =>
  `CPU (% of one core; machine has ${c.capacityPct}%): server ${c.serverPct}%, load generator ${c.loadGenPct}%, everything else ${c.otherPct}%`;
