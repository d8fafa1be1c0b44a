import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Where CPU time goes: per-process times from /proc, grouped (temporal server, postgres, worker, ...). */

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface CpuSnapshot {
  atMs: number;
  /** pid → [group, user+system ticks] */
  processes: Map<number, [string, number]>;
  machine: { busy: number; total: number };
}

/** Names our own processes; everything else is recognised by its command line. */
export type KnownPids = Map<number, string>;

function readProcess(pid: number): { comm: string; ticks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state)
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) }; // utime + stime, all threads
  } catch {
    return undefined; // gone meanwhile
  }
}

const cmdlines = new Map<number, string>();
function cmdline(pid: number): string {
  let line = cmdlines.get(pid);
  if (line === undefined) {
    try {
      line = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      line = '';
    }
    cmdlines.set(pid, line);
  }
  return line;
}

function groupOf(pid: number, comm: string, known: KnownPids): string {
  const mine = known.get(pid);
  if (mine) return mine;
  if (comm === 'postgres') return 'postgres';
  const line = cmdline(pid);
  if (line.includes('start-dev')) return 'temporal server';
  if (line.includes('payment-gateway/server.ts')) return 'payment gateway';
  if (comm === 'java') return 'kafka';
  if (comm.startsWith('redis')) return 'redis';
  if (/^(kworker|ksoftirqd|kdamond|jbd2|rcu_)/.test(comm)) return 'kernel threads';
  return `other: ${comm}`;
}

function machineTicks(): { busy: number; total: number } {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    values.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export function cpuSnapshot(known: KnownPids): CpuSnapshot {
  const processes = new Map<number, [string, number]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const info = readProcess(pid);
    if (info) processes.set(pid, [groupOf(pid, info.comm, known), info.ticks]);
  }
  return { atMs: performance.now(), processes, machine: machineTicks() };
}

/** How busy the whole machine is over `ms`, in % of one core. */
export async function machineBusy(ms: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  const total = after.total - before.total;
  return total > 0 ? (100 * os.availableParallelism() * (after.busy - before.busy)) / total : 0;
}

/** CPU of processes that are not the benchmark's nor the stack's. */
export const isOutside = (group: string) =>
  group === 'other' || group.startsWith('other: ') || group === 'ended processes';

/** % of one core that went to processes outside the benchmark and the stack. */
export const outsideShare = (split: Pick<CpuSplit, 'groups'> | undefined) =>
  (split?.groups ?? [])
    .filter(([group]) => isOutside(group))
    .reduce((sum, [, percent]) => sum + percent, 0);

export interface CpuSplit {
  /** Group → % of one core over the interval (the machine has `cores` × 100 %). */
  groups: [string, number][];
  machineBusyPercent: number;
  cores: number;
}

export function cpuSplit(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const seconds = (after.atMs - before.atMs) / 1000;
  const totals = new Map<string, number>();
  for (const [pid, [group, ticks]] of after.processes) {
    const start = before.processes.get(pid)?.[1] ?? 0; // started during the interval
    totals.set(group, (totals.get(group) ?? 0) + (ticks - start));
  }
  const cores = os.availableParallelism();
  // Unknown processes are named after their command when they matter, lumped together otherwise.
  const percents = new Map<string, number>();
  for (const [group, ticks] of totals) {
    const percent = (100 * ticks) / TICKS_PER_SECOND / seconds;
    const name = group.startsWith('other: ') && percent < 3 ? 'other' : group;
    percents.set(name, (percents.get(name) ?? 0) + percent);
  }
  const groups = [...percents].filter(([, percent]) => percent >= 0.5).sort((a, b) => b[1] - a[1]);
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  const machineBusyPercent = total > 0 ? (100 * cores * busy) / total : 0;
  // Processes that ended within the interval (someone's test run, a compiler) leave no trace in /proc.
  const unattributed = machineBusyPercent - groups.reduce((sum, [, percent]) => sum + percent, 0);
  if (unattributed >= 3) groups.push(['ended processes', unattributed]);
  return { groups, machineBusyPercent, cores };
}
