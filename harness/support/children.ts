import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

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
 * Runs a TypeScript entry of this project as `node --import tsx <entry>` in its own process group,
 * its output appended to `logFile`. Killed by `stopChild`/`stopAllChildren`, and on exit at the latest.
 */
export function spawnChild(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): Child {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, '--import', 'tsx', path.resolve(PROJECT_ROOT, entry)],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
      detached: true, // its own group: we signal it and whatever it started, and a terminal's Ctrl-C reaches only us
    },
  );
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${name}: failed to spawn ${entry}`);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  const handle: Child = { name, pid: child.pid, logFile, process: child, exited };
  running.add(handle);
  void exited.then(() => running.delete(handle));
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

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** Polls `check` until it holds; fails early when the child dies, with the end of its log. */
export async function waitForChild(
  child: Child,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(child))
      throw new Error(
        `${child.name} exited (${await child.exited}) before ${what}:\n${tail(child.logFile)}`,
      );
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${child.name}: not ${what} after ${timeoutMs / 1000} s:\n${tail(child.logFile)}`,
  );
}

export { freePort } from './process-control.js';
