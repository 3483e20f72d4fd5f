import { readdirSync, readFileSync } from 'node:fs';
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

/** CPU time of this process and of its exited children (ffmpeg, the load generator), from /proc/self/stat, in ms. */
function ownCpu(): { selfMs: number; childrenMs: number } {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ').map(Number);
    // After "pid (comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14, in 1/100 s.
    return { selfMs: (f[11]! + f[12]!) * 10, childrenMs: (f[13]! + f[14]!) * 10 };
  } catch {
    const u = process.cpuUsage();
    return { selfMs: (u.user + u.system) / 1000, childrenMs: NaN };
  }
}

/** CPU time of every running process with this command name (e.g. the PostgreSQL server's processes), in ms. */
function processesCpu(comm: string): number {
  let ms = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
        const f = stat
          .slice(stat.lastIndexOf(')') + 2)
          .split(' ')
          .map(Number);
        ms += (f[11]! + f[12]!) * 10;
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return NaN;
  }
  return ms;
}

/**
 * Who used the CPUs during a run, in % of one core: this process (the server), its children that
 * finished (the load generator, ffmpeg), and everything else on the machine — other work on a shared
 * box skews the figures, so every run says how much there was.
 */
export function cpuMeter() {
  const m0 = machineCpu();
  const o0 = ownCpu();
  const pg0 = processesCpu('postgres');
  const t0 = performance.now();
  return () => {
    const m1 = machineCpu();
    const o1 = ownCpu();
    const pct = (ms: number) => Math.round((100 * ms) / (performance.now() - t0));
    const self = o1.selfMs - o0.selfMs;
    const children = o1.childrenMs - o0.childrenMs;
    const pg = Math.max(0, processesCpu('postgres') - pg0 || 0); // backends that exited take their time with them
    const busy = m0 && m1 ? m1.busyMs - m0.busyMs : NaN;
    return {
      serverPct: pct(self),
      childrenPct: pct(children),
      postgresPct: pct(pg),
      otherPct: Math.max(0, pct(busy - self - (children || 0) - pg)),
      capacityPct: 100 * cpus().length,
    };
  };
}
export type CpuShare = ReturnType<ReturnType<typeof cpuMeter>>;
export const cpuLine = (c: CpuShare, children: string) =>
  `CPU, % of one core (the machine has ${c.capacityPct}%): server ${c.serverPct}%, ${children} ${c.childrenPct}%${c.postgresPct ? `, PostgreSQL ${c.postgresPct}%` : ''}, everything else on the machine ${c.otherPct}%`;
