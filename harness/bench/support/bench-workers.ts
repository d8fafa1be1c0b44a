import { fileURLToPath } from 'node:url';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createOrderSagaActivities } from '../../../activities/index.js';
import { createDatabase } from '../../../workers/composition/database.js';
import { createPaymentGatewayFromConfig } from '../../../workers/composition/payment-gateway.js';
import { createTemporalWorker } from '../../../workers/composition/saga-workers.js';
import { createNoopActivities } from '../workflows/noop/activities.js';
import { tuningOptions, type BenchWorkerConfig } from './worker-tuning.js';

export type BenchWorkerKind = 'noop' | 'saga' | 'saga-local';

export const WORKFLOWS_PATHS: Record<BenchWorkerKind, string> = {
  noop: fileURLToPath(new URL('../workflows/noop/index.ts', import.meta.url)),
  // The real orderSaga plus its local-activity copy, with the real activities behind them.
  saga: fileURLToPath(new URL('../workflows/saga/index.ts', import.meta.url)),
  // orderSagaLocal registered as `orderSaga`: what the real API starts gets local activities.
  'saga-local': fileURLToPath(new URL('../workflows/saga/local-as-order-saga.ts', import.meta.url)),
};

export interface BenchWorker {
  worker: Worker;
  /** Releases what the worker's activities hold (database pool); call after `worker.run()` returned. */
  close(): Promise<void>;
}

/** A worker for the benchmark: the no-op steps, or the real saga activities, tuned by `config`. */
export async function createBenchWorker({
  kind,
  connection,
  taskQueue,
  config,
  logger,
}: {
  kind: BenchWorkerKind;
  connection: NativeConnection;
  taskQueue: string;
  config: BenchWorkerConfig;
  logger: Logger;
}): Promise<BenchWorker> {
  const prisma = kind !== 'noop' ? createDatabase(config) : undefined;
  const activities = prisma
    ? createOrderSagaActivities({
        prisma,
        payments: createPaymentGatewayFromConfig(config, logger),
        logger,
      })
    : createNoopActivities();
  try {
    const worker = await createTemporalWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflows: { workflowsPath: WORKFLOWS_PATHS[kind] },
      activities,
      tuning: tuningOptions(config),
    });
    return { worker, close: async () => prisma?.$disconnect() };
  } catch (error) {
    await prisma?.$disconnect();
    throw error;
  }
}
