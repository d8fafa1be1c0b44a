import type { Client } from '@temporalio/client';
import { BOOKING_TASK_QUEUE } from '../../../workflows/contracts/names.js';
import type { Child } from '../../support/children.js';
import { seconds } from '../../support/polling.js';
import { spawnApi, spawnPollingWorkers } from '../support/bench-children.js';
import type { HttpTarget } from '../support/http-client.js';
import { backlog } from '../../support/task-queue.js';
import { pollAtMost } from '../support/wait.js';
import type { StormRun } from './resources.js';

const READY_TIMEOUT_MS = 120_000; // a worker bundles its workflows at start: tens of seconds on 2 busy cores
const BACKLOG_WAIT_MS = 180_000;

/** The real saga workers (workers/saga-worker.ts), ready once they poll the booking queue. */
export function spawnWorkers(run: StormRun, client: Client): Promise<Child[]> {
  return spawnPollingWorkers(
    run,
    {
      count: run.options.workers,
      name: (i) => `worker-${i + 1}`,
      group: 'worker',
      entry: 'workers/saga-worker.ts',
    },
    {
      client,
      namespace: run.options.config.TEMPORAL_NAMESPACE,
      taskQueue: BOOKING_TASK_QUEUE,
      timeoutMs: READY_TIMEOUT_MS,
    },
  );
}

/** The real API (api/server.ts), `--apis` of it; the clients are spread over their addresses. */
export function spawnApis(run: StormRun): Promise<HttpTarget[]> {
  const count = run.options.apis;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { target } = await spawnApi(
        run,
        { name: count > 1 ? `api-${i + 1}` : 'api', group: 'api', entry: 'api/server.ts' },
        { agent: run.agent, readyRoute: '/openapi.json', timeoutMs: READY_TIMEOUT_MS },
      );
      return target;
    }),
  );
}

/**
 * Waits (bounded) until the booking queue has no backlog, so that the storm does not queue behind
 * tasks left by an interrupted run or someone else's load.
 */
export async function drainBacklog(run: StormRun, client: Client): Promise<void> {
  const waiting = () => backlog(client, run.options.config.TEMPORAL_NAMESPACE, BOOKING_TASK_QUEUE);
  let left = await waiting();
  if (left === 0) return;
  process.stderr.write(
    `${BOOKING_TASK_QUEUE} has a backlog of ${left} task(s) (sagas of an interrupted run, or someone else's load): waiting for it to drain...\n`,
  );
  const started = Date.now();
  const drained = async () => (left = await waiting()) === 0 || run.interrupted;
  await pollAtMost(`an empty ${BOOKING_TASK_QUEUE}`, drained, {
    timeoutMs: BACKLOG_WAIT_MS,
    pollMs: 2_000,
  });
  if (left > 0)
    console.warn(
      `warning: ${left} task(s) still wait on ${BOOKING_TASK_QUEUE} after ${BACKLOG_WAIT_MS / 1000} s: the storm queues behind them`,
    );
  else process.stderr.write(`backlog drained in ${seconds(Date.now() - started)}\n`);
}
