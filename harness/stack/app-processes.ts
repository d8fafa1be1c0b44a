import { parseArgs } from 'node:util';
import { startEntryPoint } from './supervised-process.js';
import type { ProcessSpec } from './supervisor.js';

export const MAX_WORKERS = 16;

/** `npm start -- --workers N`: how many saga worker processes to run (default 1). */
export function parseStartArgs(argv: string[]): { workers: number } {
  const { values } = parseArgs({
    args: argv,
    options: { workers: { type: 'string', default: '1' } },
    strict: true,
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new Error(
      `--workers: expected a whole number from 1 to ${MAX_WORKERS}, got "${values.workers}"`,
    );
  return { workers };
}

export interface SagaWorkerSlot {
  name: string;
  /** Its own metrics port, so that several can run on one machine; 0 = off. */
  metricsPort: number;
}

/** worker-1..N; worker i gets the metrics port `basePort + i - 1` (all off when `basePort` is 0). */
export function sagaWorkerSlots(count: number, basePort: number): SagaWorkerSlot[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `worker-${i + 1}`,
    metricsPort: basePort > 0 ? basePort + i : 0,
  }));
}

/** What becomes of a dead process's work: the end of its restart line. */
export const IN_FLIGHT_WORK = {
  worker:
    'its in-flight sagas resume on the new worker (or another one): Temporal retries their ' +
    'activities after the heartbeat timeout',
  consumers: 'the events it had not committed are delivered again to the new one (applied once)',
  api: 'requests it was answering failed; a retry with the same Idempotency-Key finds the same saga',
} as const;

/** The processes `npm start` runs and keeps running: the saga workers, the consumers, the API. */
/** `env` goes to every process (e.g. the log format npm start chose). */
export function appProcesses(
  workers: SagaWorkerSlot[],
  env: Record<string, string> = {},
): ProcessSpec[] {
  return [
    ...workers.map(({ name, metricsPort }) => ({
      name,
      start: () =>
        startEntryPoint(name, 'workers/saga-worker.ts', {
          ...env,
          WORKER_METRICS_PORT: String(metricsPort),
        }),
      inFlightWork: IN_FLIGHT_WORK.worker,
    })),
    {
      name: 'consumers',
      start: () => startEntryPoint('consumers', 'workers/consumer-worker.ts', env),
      inFlightWork: IN_FLIGHT_WORK.consumers,
    },
    {
      name: 'api',
      start: () => startEntryPoint('api', 'api/server.ts', env),
      inFlightWork: IN_FLIGHT_WORK.api,
    },
  ];
}
