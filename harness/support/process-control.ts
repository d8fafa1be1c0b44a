import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tail } from './log-tail.js';
import { holds, pollUntil, sleep } from './polling.js';
import { spawnProcess } from './spawn.js';

export const execFileAsync = promisify(execFile);

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * The environment a stack server inherits: ours minus the app's OpenTelemetry settings, which the
 * Temporal dev server reads too (and refuses to start on `OTEL_TRACES_EXPORTER=console`).
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')),
  );
}

/** Starts a process that outlives this one (its own session, output to a log file) and records its pid. */
export function spawnDaemon(spec: DaemonSpec): number {
  fs.mkdirSync(path.dirname(spec.pidFile), { recursive: true });
  const { pid, process: child } = spawnProcess({
    name: spec.name,
    command: spec.command,
    args: spec.args,
    env: spec.env ?? serverEnvironment(),
    cwd: spec.cwd,
    output: { logFile: spec.logFile },
    detached: true,
    uid: spec.uid,
    gid: spec.gid,
  });
  child.unref();
  fs.writeFileSync(spec.pidFile, String(pid));
  return pid;
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the process group (SIGTERM unless told otherwise), waits `graceMs`, then SIGKILLs. */
export async function stopProcess(
  pid: number,
  {
    signal: stopSignal = 'SIGTERM',
    graceMs = 15_000,
  }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal(stopSignal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls a health check (one that throws is not healthy yet); on timeout, shows the end of `logFile`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 200,
    logFile,
  }: { timeoutMs: number; intervalMs?: number; logFile?: string },
): Promise<void> {
  const lastLines = () => (logFile ? `\n--- last lines of ${logFile} ---\n${tail(logFile)}` : '');
  await pollUntil(
    what,
    holds(() => check().catch(() => false), 'not healthy'),
    {
      timeoutMs,
      pollMs: intervalMs,
      fail: () => new Error(`${what} did not become healthy within ${timeoutMs} ms${lastLines()}`),
    },
  );
}

/** Runs harness/stack/provision.sh for a component and returns the path it prints. */
export async function provision(component: string): Promise<string> {
  const script = path.resolve(import.meta.dirname, '../stack/provision.sh');
  const child = spawn('bash', [script, component], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code: number = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`provisioning ${component} failed (exit ${code})`);
  return out.trim().split('\n').at(-1) ?? '';
}

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
