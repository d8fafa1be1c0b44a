import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createBookingSagaActivities, createOrderSagaActivities } from '../activities/index.js';
import { createCacheRedis, createRedisEventCache } from '../activities/bookings/event.cache.js';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import {
  WORKFLOW_TRACING_MODULE,
  tracingWorkerOptions,
} from '../platform/telemetry/temporal-tracing.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { createPrismaClient } from '../prisma/client.js';
import { workerConfigSchema } from './worker.config.js';
import { createRelayActivities, ensureRelayRunning } from './composition/relay.js';
import { exportBreakerState } from './temporal/breaker-metrics.js';
import { createPaymentGatewayFromConfig } from './composition/payment-gateway.js';
import { ensureSearchAttributes } from './temporal/search-attributes.js';
import { activityLogContext, installTemporalRuntime } from './temporal/temporal-runtime.js';
import { cachedWorkflowBundle } from './temporal/workflow-bundle.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Composition root of a saga worker: one Temporal worker per saga task queue, so each kind of saga
 * can be scaled (or drained) on its own, plus one for the outbox relay (a singleton workflow that
 * any running worker can pick up). Several processes may run at once.
 */
async function main() {
  const config = loadConfigOrExit(workerConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-worker');
  // Untraced, the workers get no interceptors at all: not even the workflow sandbox's.
  const traced = tracing ? tracingWorkerOptions(tracing) : {};
  const logger = createLogger('saga-worker', config.LOG_LEVEL, { mixin: activityLogContext });
  installTemporalRuntime({
    logger,
    metricsPort: config.WORKER_METRICS_PORT,
    metricsHost: config.WORKER_METRICS_HOST,
  });
  const prisma = createPrismaClient({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
  });
  const redis = createCacheRedis(config.REDIS_URL);
  const payments = createPaymentGatewayFromConfig(config, logger);
  exportBreakerState(payments.breaker, Runtime.instance().metricMeter);
  const relay = createRelayActivities(config, prisma, logger);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    const eventCache = createRedisEventCache({
      redis,
      ttlMs: config.EVENT_CACHE_TTL_SECONDS * 1_000,
      logger,
    });
    const deps = { prisma, payments, logger, eventCache };
    const workflowBundle = await cachedWorkflowBundle({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: tracing ? [WORKFLOW_TRACING_MODULE] : [],
    });
    const sagaWorkers = await Promise.all(
      [
        { taskQueue: config.ORDER_TASK_QUEUE, activities: createOrderSagaActivities(deps) },
        { taskQueue: config.BOOKING_TASK_QUEUE, activities: createBookingSagaActivities(deps) },
      ].map(({ taskQueue, activities }) =>
        Worker.create({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue,
          workflowBundle,
          activities,
          ...traced,
          maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
          maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
          // Tasks on a dead worker's sticky queue go to any worker after this (default 10 s).
          stickyQueueScheduleToStartTimeout: '1s',
        }),
      ),
    );
    const relayWorker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.RELAY_TASK_QUEUE,
      workflowBundle,
      activities: relay.activities,
      ...traced,
      // One relay activity runs at a time across all workers; a worker holds at most that one.
      maxConcurrentActivityTaskExecutions: 1,
      stickyQueueScheduleToStartTimeout: '1s',
    });
    const workers = [...sagaWorkers, relayWorker];
    await ensureRelayRunning(
      new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE }),
      { workflowId: config.RELAY_WORKFLOW_ID, taskQueue: config.RELAY_TASK_QUEUE },
    );
    logger.info(
      {
        taskQueues: [config.ORDER_TASK_QUEUE, config.BOOKING_TASK_QUEUE, config.RELAY_TASK_QUEUE],
        metrics:
          config.WORKER_METRICS_PORT > 0
            ? `http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics`
            : 'off',
        temporal: config.TEMPORAL_ADDRESS,
      },
      'worker ready',
    );
    // Each returns after SIGINT/SIGTERM once its in-flight tasks are done.
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await relay.close();
    await clientConnection.close();
    await connection.close();
    await prisma.$disconnect();
    redis.disconnect();
    await tracing?.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
