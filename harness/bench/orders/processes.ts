import http from 'node:http';
import { ORDER_TASK_QUEUE } from '../../../workflows/contracts/names.js';
import type { Child } from '../../support/children.js';
import { spawnApi, spawnPollingWorkers } from '../support/bench-children.js';
import type { BenchWorkerKind } from '../support/bench-workers.js';
import type { HttpTarget } from '../support/http-client.js';
import { foreignPollers, waitUntilPolling } from '../../support/task-queue.js';
import { once, type OrdersRun } from './resources.js';

const READY_TIMEOUT_MS = 90_000; // a worker bundles its workflows at start: seconds on 2 busy cores

export interface ApiProcesses {
  agent: http.Agent;
  /** One per API process; the REST clients are spread over them. */
  targets: HttpTarget[];
  children: Child[];
}

/** The child processes a scenario may need, each started the first time one asks for it. */
export function orderProcesses(run: OrdersRun) {
  const api = once(() => spawnApis(run));
  return {
    api,
    sagaWorkers: once(async () => {
      await warnAboutForeignWorkers(run, new Set());
      const { options } = run;
      const children = options.workerInApi
        ? (await api()).children
        : await spawnWorkers(
            run,
            'order worker',
            ORDER_TASK_QUEUE,
            options.sagaWorker === 'real' ? 'real' : options.sagaKind,
          );
      await warnAboutForeignWorkers(run, new Set(children.map((c) => c.pid)));
      return children;
    }),
    noopWorkers: once(() => spawnWorkers(run, 'no-op worker', run.queues.noop, 'noop')),
    localSagaWorkers: once(() =>
      spawnWorkers(run, 'bench saga worker', run.queues.sagaLocal, 'saga'),
    ),
  };
}

/** Another live worker on the order queue would take part of the load and skew the numbers. */
async function warnAboutForeignWorkers(run: OrdersRun, ours: Set<number>) {
  const client = await run.grpcClient();
  const namespace = run.options.config.TEMPORAL_NAMESPACE;
  for (const identity of await foreignPollers(client, namespace, ORDER_TASK_QUEUE, ours))
    console.warn(
      `warning: another worker (${identity}) polls ${ORDER_TASK_QUEUE}: it takes part of the load`,
    );
}

async function spawnWorkers(
  run: OrdersRun,
  group: string,
  taskQueue: string,
  kind: 'real' | BenchWorkerKind,
): Promise<Child[]> {
  return spawnPollingWorkers(
    run,
    {
      count: run.options.workers,
      name: (i) => `${group}-${i + 1}`,
      group,
      ...(kind === 'real'
        ? { entry: 'workers/saga-worker.ts' }
        : {
            entry: 'harness/bench/bench-worker.ts',
            env: { BENCH_WORKER_KIND: kind, BENCH_TASK_QUEUE: taskQueue },
          }),
    },
    {
      client: await run.grpcClient(),
      namespace: run.options.config.TEMPORAL_NAMESPACE,
      taskQueue,
      timeoutMs: READY_TIMEOUT_MS,
    },
  );
}

/** The API; with the worker inside it (`in-api*`), one process per `--workers`, requests spread over them. */
async function spawnApis(run: OrdersRun): Promise<ApiProcesses> {
  const { concurrency, workerInApi, workers, sagaKind, config } = run.options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  run.cleanups.push(async () => agent.destroy());
  const start = async (i: number) => {
    const { child, target } = await spawnApi(
      run,
      {
        name: workerInApi && workers > 1 ? `api-${i + 1}` : 'api',
        group: workerInApi ? 'api + order worker' : 'api',
        ...(workerInApi
          ? { entry: 'harness/bench/api-with-worker.ts', env: { BENCH_WORKER_KIND: sagaKind } }
          : { entry: 'api/server.ts' }),
      },
      { agent, readyRoute: '/products', timeoutMs: READY_TIMEOUT_MS },
    );
    if (workerInApi)
      await waitUntilPolling(
        child,
        await run.grpcClient(),
        config.TEMPORAL_NAMESPACE,
        ORDER_TASK_QUEUE,
        READY_TIMEOUT_MS,
      );
    return { target, child };
  };
  const instances = await Promise.all(
    Array.from({ length: workerInApi ? workers : 1 }, (_, i) => start(i)),
  );
  return {
    agent,
    targets: instances.map((i) => i.target),
    children: instances.map((i) => i.child),
  };
}
