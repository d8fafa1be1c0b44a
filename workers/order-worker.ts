import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createHttpPaymentGateway } from '../activities/payment/payment.gateway.js';
import { loadConfigOrExit } from '../config/load-config.js';
import { createLogger } from '../config/logger.js';
import { createPrismaClient } from '../prisma/client.js';
import { ORDER_TASK_QUEUE } from '../workflows/contracts/names.js';
import { workerConfigSchema } from './config.js';
import { ensureSearchAttributes } from './search-attributes.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Composition root of a saga worker. Several may run at once on the same task queue. */
async function main() {
  const config = loadConfigOrExit(workerConfigSchema);
  const logger = createLogger('order-worker', config.LOG_LEVEL);
  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  const payments = createHttpPaymentGateway({ baseUrl: config.PAYMENT_GATEWAY_URL, timeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: ORDER_TASK_QUEUE,
      workflowsPath: WORKFLOWS_PATH,
      activities: createActivities({ prisma, payments, logger }),
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    });
    logger.info({ taskQueue: ORDER_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker ready');
    await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks are done
  } finally {
    await connection.close();
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
