import { randomBytes } from 'node:crypto';
import type { HeldRequests } from './gateway.js';
import { waitFor, type PendingActivity, type Poll } from './probes.js';
import type { KillResumeOptions } from './scenario.types.js';
import type { WorkerProcess } from './workers.js';

/** What every step of one scenario run shares: its options, its waits, the workers it launched. */
export interface KillResumeRun {
  options: KillResumeOptions;
  /** The API, its requests ending when the run's signal aborts. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  runId: string;
  /** Limit of each wait. */
  timeoutMs: number;
  /** How long after its launch each round's event starts. */
  eventLeadMs: number;
  narrate: (line: string) => void;
  /** Polls `probe` (every `pollMs`, default 100) until done; a KillResumeCheckFailed on timeout. */
  until<T>(what: string, probe: () => Promise<Poll<T>>, pollMs?: number): Promise<T>;
  /** Starts a saga worker under `name`; it is stopped when the run ends unless killed before. */
  launch(name: string): WorkerProcess;
  /** SIGKILLs `victim`, then lets held gateway calls and a frozen Kafka go; resolves the kill's time. */
  kill(victim: WorkerProcess, held: HeldRequests[], frozen: boolean): Promise<number>;
  /** The worker's name for a Temporal worker identity (`<pid>@<host>`). */
  nameOf(identity: string): string;
  describeActivity(activity: PendingActivity): string;
  /** Stops the workers still running (SIGTERM): the next run must find only its own on the queues. */
  stopWorkers(): Promise<void>;
}

export function startRun(options: KillResumeOptions): KillResumeRun {
  const { signal } = options;
  const timeoutMs = options.waitTimeoutMs ?? 90_000;
  const names = new Map<string, string>(); // worker identity → name
  const running = new Set<WorkerProcess>();
  const nameOf = (identity: string) => names.get(identity) ?? (identity || '?');
  return {
    options,
    api: (path, init) => options.api(path, { ...init, signal }),
    runId: randomBytes(3).toString('hex'),
    timeoutMs,
    eventLeadMs: (options.eventLeadSeconds ?? 20) * 1_000,
    narrate: options.narrate,
    until: (what, probe, pollMs = 100) => waitFor(what, probe, { timeoutMs, pollMs, signal }),
    launch(name) {
      const worker = options.launchWorker(name);
      names.set(worker.identity, name);
      running.add(worker);
      return worker;
    },
    async kill(victim, held, frozen) {
      const killedAt = Date.now();
      await victim.kill();
      running.delete(victim);
      for (const hold of held) hold.release();
      if (frozen) options.kafka.resume();
      return killedAt;
    },
    nameOf,
    describeActivity: (activity) =>
      `${activity.type} #${activity.attempt} ${activity.state}` +
      (activity.worker ? ` on ${nameOf(activity.worker)}` : ''),
    stopWorkers: async () => {
      await Promise.all([...running].map((worker) => worker.stop()));
    },
  };
}
