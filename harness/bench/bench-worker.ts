import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { createLogger } from '../../platform/config/logger.js';
import { createBenchWorker } from './support/bench-workers.js';
import { benchWorkerConfigSchema } from './support/worker-tuning.js';

/**
 * A worker process the benchmark spawns: the no-op ceiling (BENCH_WORKER_KIND=noop), the real saga
 * (saga), or its local-activity copy as `orderSaga` (saga-local), with the extra tuning knobs of
 * support/worker-tuning.ts.
 */
const schema = benchWorkerConfigSchema.extend({
  BENCH_WORKER_KIND: z.enum(['noop', 'saga', 'saga-local']),
  BENCH_TASK_QUEUE: z.string().min(1),
});

async function main() {
  const config = loadConfigOrExit(schema);
  const logger = createLogger(`bench-${config.BENCH_WORKER_KIND}-worker`, config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const { worker, close } = await createBenchWorker({
      kind: config.BENCH_WORKER_KIND,
      connection,
      taskQueue: config.BENCH_TASK_QUEUE,
      config,
      logger,
    });
    try {
      logger.info({ taskQueue: config.BENCH_TASK_QUEUE }, 'worker ready');
      await worker.run(); // returns after SIGINT/SIGTERM once in-flight tasks are done
    } finally {
      await close();
    }
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
