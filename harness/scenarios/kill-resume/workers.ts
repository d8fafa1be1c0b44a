import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  logLinesWith,
  pollChild,
  spawnChild,
  stopChild,
  type Child,
} from '../../support/children.js';
import { done, notYet } from '../../support/polling.js';

/** A saga worker (workers/saga-worker.ts) in a process of its own, as the scenario kills it. */
export interface WorkerProcess {
  name: string;
  pid: number;
  /** As Temporal names its pollers and the activities they run: `<pid>@<host>`. */
  identity: string;
  logFile: string;
  /** Epoch ms: when the process was spawned. */
  spawnedAt: number;
  /** Epoch ms of its "worker ready" line: bundled, connected, about to poll. */
  ready: Promise<number>;
  /** SIGKILL: in-flight activities and workflow tasks are simply lost. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (in-flight tasks finish), SIGKILL after a grace period. */
  stop(): Promise<void>;
  exited: Promise<string>;
}

export type WorkerLauncher = (name: string) => WorkerProcess;

const READY_LINE = '"msg":"worker ready"';

/** The "worker ready" line's own timestamp (pino's `time`, epoch ms). */
const readyTime = (child: Child, timeoutMs: number): Promise<number> =>
  pollChild(
    child,
    'ready',
    async () => {
      const [line] = logLinesWith(child.logFile, READY_LINE);
      return line
        ? done((JSON.parse(line) as { time: number }).time)
        : notYet('no "worker ready" line');
    },
    { timeoutMs, pollMs: 25 },
  );

/**
 * Launches saga workers as child processes (`node --import tsx workers/saga-worker.ts`) with `env`
 * on top of this process's environment, each logging (pino JSON, level info) to
 * `<logDir>/<name>.log`.
 */
export function sagaWorkerLauncher({
  env,
  logDir,
  readyTimeoutMs = 120_000,
}: {
  env: NodeJS.ProcessEnv;
  logDir: string;
  readyTimeoutMs?: number;
}): WorkerLauncher {
  return (name) => {
    const logFile = path.join(logDir, `${name}.log`);
    fs.rmSync(logFile, { force: true }); // an earlier worker's "worker ready" is not this one's
    const spawnedAt = Date.now();
    const child = spawnChild(
      name,
      'workers/saga-worker.ts',
      // Several run at once: no metrics port (they would collide); readiness is read from the
      // log's JSON, whatever LOG_FORMAT the caller's environment has.
      { ...env, WORKER_METRICS_PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      logFile,
    );
    const ready = readyTime(child, readyTimeoutMs);
    ready.catch(() => {}); // awaited where needed; a worker killed before it was ready is fine
    return {
      name,
      pid: child.pid,
      identity: `${child.pid}@${os.hostname()}`,
      logFile: child.logFile,
      spawnedAt,
      ready,
      exited: child.exited,
      async kill() {
        try {
          process.kill(-child.pid, 'SIGKILL'); // its process group: nothing it started survives it
        } catch {
          /* already gone */
        }
        await child.exited;
      },
      stop: () => stopChild(child),
    };
  };
}
