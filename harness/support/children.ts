import type { ChildProcess } from 'node:child_process';
import { tail } from './log-tail.js';
import { holds, pollUntil, type Poll } from './polling.js';
import { PROJECT_ROOT, spawnProcess, tsxEntryArgs } from './spawn.js';

export interface Child {
  name: string;
  pid: number;
  logFile: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<string>;
}

const running = new Set<Child>();

/** Extra node flags for every child, e.g. BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile. */
const NODE_ARGS = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/**
 * Runs a TypeScript entry of this project as `node --import tsx <entry> [...args]` in its own process
 * group, its output appended to `logFile`. Killed by `stopChild`/`stopAllChildren`, and on exit at the latest.
 */
export function spawnChild(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  args: string[] = [],
): Child {
  const spawned = spawnProcess({
    name,
    command: process.execPath,
    args: [...tsxEntryArgs(entry, NODE_ARGS), ...args],
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    output: { logFile },
    detached: true, // its own group: we signal it and whatever it started, and a terminal's Ctrl-C reaches only us
  });
  const handle: Child = { name, logFile, ...spawned };
  running.add(handle);
  void handle.exited.then(() => running.delete(handle));
  return handle;
}

function signalGroup(child: Child, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/** SIGTERM (the workers finish in-flight tasks), then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (!running.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

// Last resort (an uncaught error, process.exit): nothing we started outlives us.
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

export function isRunning(child: Child): boolean {
  return running.has(child);
}

/** Polls `probe` until it is done; fails early when the child dies, with the end of its log. */
export function pollChild<T>(
  child: Child,
  what: string,
  probe: () => Promise<Poll<T>>,
  { timeoutMs, pollMs = 250 }: { timeoutMs: number; pollMs?: number },
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      if (!isRunning(child))
        throw new Error(
          `${child.name} exited (${await child.exited}) before ${what}:\n${tail(child.logFile)}`,
        );
      return probe();
    },
    {
      timeoutMs,
      pollMs,
      fail: () =>
        new Error(
          `${child.name}: not ${what} after ${timeoutMs / 1000} s:\n${tail(child.logFile)}`,
        ),
    },
  );
}

/** Polls `check` until it holds (a check that throws has not); fails early when the child dies. */
export async function waitForChild(
  child: Child,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  await pollChild(
    child,
    what,
    holds(() => check().catch(() => false)),
    { timeoutMs },
  );
}

export { logLinesWith, tail } from './log-tail.js';
export { freePort } from './process-control.js';
