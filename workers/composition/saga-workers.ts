import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  createBookingSagaActivities,
  createOrderSagaActivities,
  type ActivityDeps,
} from '../../activities/index.js';
import {
  WORKFLOW_TRACING_MODULE,
  tracingWorkerOptions,
} from '../../platform/telemetry/temporal-tracing.js';
import type { Tracing } from '../../platform/telemetry/tracing.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { cachedWorkflowBundle } from '../temporal/workflow-bundle.js';
import type { WorkerConfig } from '../worker.config.js';
import type { Clients } from './clients.js';
import { createRelayActivities, ensureRelayRunning } from './relay.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface TemporalWorkerSpec {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** The saga workers' bundle of workflows/, or another entry file (a bench's) the SDK bundles. */
  workflows: Pick<WorkerOptions, 'workflowBundle'> | Pick<WorkerOptions, 'workflowsPath'>;
  /** Activities and workflows trace; the bundle must then include WORKFLOW_TRACING_MODULE. */
  tracing?: Tracing;
  /** Slots, pollers, workflow cache, sticky queue timeout; unset ones keep the SDK's defaults. */
  tuning: Partial<WorkerOptions>;
}

/**
 * Every worker of the application is made here: the sagas', the relay's and the benches'. (Tests of
 * the Temporal servers themselves, and workflow tests against fakes, make their own.)
 */
export function createTemporalWorker({
  connection,
  namespace,
  taskQueue,
  activities,
  workflows,
  tracing,
  tuning,
}: TemporalWorkerSpec): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...workflows,
    activities,
    // Untraced, the workers get no interceptors at all: not even the workflow sandbox's.
    ...(tracing ? tracingWorkerOptions(tracing) : {}),
    ...tuning,
  });
}

/** A saga worker's tuning, from its settings. */
export const sagaWorkerTuning = (config: WorkerConfig): Partial<WorkerOptions> => ({
  maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  // Tasks on a dead worker's sticky queue go to any worker after this (default 10 s).
  stickyQueueScheduleToStartTimeout: '1s',
});

const RELAY_TUNING: Partial<WorkerOptions> = {
  // One relay activity runs at a time across all workers; a worker holds at most that one.
  maxConcurrentActivityTaskExecutions: 1,
  stickyQueueScheduleToStartTimeout: '1s',
};

export interface SagaWorkersOptions {
  /**
   * Both sagas on this one task queue, registering the union of both activity sets, instead of
   * one queue each (ORDER_TASK_QUEUE, BOOKING_TASK_QUEUE): a test's private queue that runs both.
   */
  bothSagasOn?: string;
  /** Also the outbox relay's worker, with its workflow started unless it runs (default true). */
  relay?: boolean;
}

export interface SagaWorkers {
  /** The task queues polled, in the order orders, bookings, relay. */
  taskQueues: string[];
  /** Polls until SIGINT/SIGTERM (the SDK's runtime handles them) or `stop()`, then drains. */
  run(): Promise<void>;
  /** Shuts down what still runs, waits for it, and closes the workers' connection and producer. */
  stop(): Promise<void>;
}

type QueueSpec = Pick<TemporalWorkerSpec, 'taskQueue' | 'activities' | 'tuning'>;

function sagaQueues(config: WorkerConfig, deps: ActivityDeps, bothSagasOn?: string): QueueSpec[] {
  const tuning = sagaWorkerTuning(config);
  const orders = createOrderSagaActivities(deps);
  const bookings = createBookingSagaActivities(deps);
  if (bothSagasOn)
    return [{ taskQueue: bothSagasOn, activities: { ...orders, ...bookings }, tuning }];
  return [
    { taskQueue: config.ORDER_TASK_QUEUE, activities: orders, tuning },
    { taskQueue: config.BOOKING_TASK_QUEUE, activities: bookings, tuning },
  ];
}

/**
 * The saga workers: one Temporal worker per saga task queue, so each kind of saga can be scaled
 * (or drained) on its own, and one for the outbox relay (a singleton workflow that any running
 * worker can pick up). They share one connection of their own; call `run()`, then `stop()`.
 */
export async function createSagaWorkers(
  config: WorkerConfig,
  clients: Clients,
  { bothSagasOn, relay = true }: SagaWorkersOptions = {},
): Promise<SagaWorkers> {
  const { prisma, payments, logger, eventCache, tracing } = clients;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const relayActivities = relay ? createRelayActivities(config, prisma, logger) : undefined;
  const release = async () => {
    await relayActivities?.close();
    await connection.close();
  };
  try {
    const namespace = config.TEMPORAL_NAMESPACE;
    await ensureSearchAttributes(connection, namespace);
    const queues = sagaQueues(config, { prisma, payments, logger, eventCache }, bothSagasOn);
    if (relayActivities) {
      const { activities } = relayActivities;
      queues.push({ taskQueue: config.RELAY_TASK_QUEUE, activities, tuning: RELAY_TUNING });
    }
    const workflowBundle = await cachedWorkflowBundle({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: tracing ? [WORKFLOW_TRACING_MODULE] : [],
    });
    const workers = await Promise.all(
      queues.map((queue) =>
        createTemporalWorker({
          connection,
          namespace,
          workflows: { workflowBundle },
          tracing,
          ...queue,
        }),
      ),
    );
    if (relay) {
      // A client of its own, untraced: starting the relay is no part of any request's trace.
      await ensureRelayRunning(new Client({ connection: clients.temporal.connection, namespace }), {
        workflowId: config.RELAY_WORKFLOW_ID,
        taskQueue: config.RELAY_TASK_QUEUE,
      });
    }
    const taskQueues = queues.map((queue) => queue.taskQueue);
    return runnable(workers, taskQueues, release);
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}

function runnable(
  workers: Worker[],
  taskQueues: string[],
  release: () => Promise<void>,
): SagaWorkers {
  let runs: Promise<void>[] | undefined;
  let released: Promise<void> | undefined;
  return {
    taskQueues,
    async run() {
      runs ??= workers.map((worker) => worker.run());
      await Promise.all(runs);
    },
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      try {
        const failed = (await Promise.allSettled(runs ?? [])).find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        released ??= release();
        await released;
      }
    },
  };
}
