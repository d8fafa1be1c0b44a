import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createCacheRedis, createRedisEventCache } from '../activities/bookings/event.cache.js';
import { createHttpPaymentGateway } from '../activities/payment/payment.gateway.js';
import { loadConfigOrExit } from '../config/load-config.js';
import { createLogger } from '../config/logger.js';
import { createPrismaClient } from '../prisma/client.js';
import { BOOKING_TASK_QUEUE, ORDER_TASK_QUEUE } from '../workflows/contracts/names.js';
import { workerConfigSchema } from './config.js';
import { ensureSearchAttributes } from './search-attributes.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Composition root of a saga worker: one Temporal worker per saga task queue, so each kind of saga
 * can be scaled (or drained) on its own. Several processes may run at once.
 */
async function main() {
  const config = loadConfigOrExit(workerConfigSchema);
  const logger = createLogger('saga-worker', config.LOG_LEVEL);
  const prisma = createPrismaClient({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
  });
  const redis = createCacheRedis(config.REDIS_URL);
  const payments = createHttpPaymentGateway({
    baseUrl: config.PAYMENT_GATEWAY_URL,
    timeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS,
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    const eventCache = createRedisEventCache({
      redis,
      ttlMs: config.EVENT_CACHE_TTL_SECONDS * 1_000,
      logger,
    });
    const activities = createActivities({ prisma, payments, logger, eventCache });
    // Webpack's module-by-module report is noise at every start; warnings still show.
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: new DefaultLogger('WARN'),
    });
    const workers = await Promise.all(
      [ORDER_TASK_QUEUE, BOOKING_TASK_QUEUE].map((taskQueue) =>
        Worker.create({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue,
          workflowBundle,
          activities,
          maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
          maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        }),
      ),
    );
    logger.info(
      { taskQueues: [ORDER_TASK_QUEUE, BOOKING_TASK_QUEUE], temporal: config.TEMPORAL_ADDRESS },
      'worker ready',
    );
    // Each returns after SIGINT/SIGTERM once its in-flight tasks are done.
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
    await prisma.$disconnect();
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
