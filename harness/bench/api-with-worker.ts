import { serve } from '@hono/node-server';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { apiConfigSchema } from '../../api/api.config.js';
import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { createLogger } from '../../platform/config/logger.js';
import { buildApi, createClients } from '../../workers/composition/index.js';
import { createBenchWorker } from './support/bench-workers.js';
import { benchWorkerConfigSchema } from './support/worker-tuning.js';

/**
 * Benchmark variant of api/server.ts: the API with the order worker in its own process, sharing one
 * NativeConnection, so that its starts can be *eager* (the server hands the first workflow task back
 * in the start response, to this process's worker, with no trip through the task queue).
 * The API is composed as api/server.ts composes it; a client interceptor adds `requestEagerStart`
 * to its starts.
 */
const schema = apiConfigSchema.extend(benchWorkerConfigSchema.shape).extend({
  BENCH_WORKER_KIND: z.enum(['saga', 'saga-local']).default('saga'),
  BENCH_EAGER_START: z.enum(['true', 'false']).default('true'),
});

const eagerStart: WorkflowClientInterceptor = {
  startWithDetails: (input, next) =>
    next({ ...input, options: { ...input.options, requestEagerStart: true } }),
};

async function main() {
  const config = loadConfigOrExit(schema);
  const logger = createLogger('api', config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const { worker, close } = await createBenchWorker({
    kind: config.BENCH_WORKER_KIND,
    connection,
    taskQueue: config.ORDER_TASK_QUEUE,
    config,
    logger: createLogger('order-worker', config),
  });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: config.BENCH_EAGER_START === 'true' ? [eagerStart] : [] },
  });
  const clients = await createClients(config, { logger, temporal: { connection, client } });
  const api = buildApi(config, clients);
  const app = api.app;
  const server = serve(
    { fetch: app.fetch, hostname: config.API_HOST, port: config.API_PORT },
    (info) =>
      logger.info(
        { url: `http://${config.API_HOST}:${info.port}`, eagerStart: config.BENCH_EAGER_START },
        'api ready (worker in process)',
      ),
  );
  // The worker shuts down on SIGINT/SIGTERM by itself; the HTTP server goes with it.
  try {
    await worker.run();
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await api.close();
    await clients.close();
    await close();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
