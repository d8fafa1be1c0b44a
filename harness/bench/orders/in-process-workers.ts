import path from 'node:path';
import { pino } from 'pino';
import { errorText } from '../../../platform/config/error-text.js';
import { done, notYet, pollUntil } from '../../support/polling.js';
import {
  createBenchWorker,
  type BenchWorker,
  type BenchWorkerKind,
} from '../support/bench-workers.js';
import { once, type OrdersRun } from './resources.js';

const READY_TIMEOUT_MS = 90_000;

/**
 * Workers inside this process, on the NativeConnection its eager starts go through (the server hands
 * the first workflow task back in the start response, to a worker on the same connection).
 */
export function inProcessWorkers(run: OrdersRun) {
  const running: { bench: BenchWorker; running: Promise<void> }[] = [];

  const start = (kind: BenchWorkerKind, taskQueue: string) =>
    once(async () => {
      const { connection } = await run.nativeClient();
      const logger = pino(
        { name: `bench-in-process-${kind}`, level: run.options.config.LOG_LEVEL },
        pino.destination(path.join(run.logDir, `in-process-${kind}.log`)),
      );
      const bench = await createBenchWorker({
        kind,
        connection,
        taskQueue,
        config: run.options.config,
        logger,
      });
      const runs = bench.worker.run().catch((error: unknown) => {
        console.error(`in-process ${kind} worker failed: ${errorText(error)}`);
        run.abort();
      });
      running.push({ bench, running: runs });
      const notRunning = () =>
        new Error(`in-process ${kind} worker: not running (${bench.worker.getState()})`);
      await pollUntil(
        `in-process ${kind} worker running`,
        async () => {
          const state = bench.worker.getState();
          if (state === 'RUNNING') return done(state);
          if (run.signal.aborted) throw notRunning();
          return notYet(state);
        },
        { timeoutMs: READY_TIMEOUT_MS, pollMs: 100, fail: notRunning },
      );
    });

  return {
    eagerNoopWorker: start('noop', run.queues.eagerNoop),
    eagerSagaWorker: start('saga', run.queues.eagerSaga),
    /** Shuts every started worker down and waits for it, then releases what it held. */
    async stop() {
      for (const { bench } of running) {
        try {
          bench.worker.shutdown();
        } catch {
          /* already stopping */
        }
      }
      await Promise.allSettled(
        running.map(async ({ bench, running }) => {
          await running;
          await bench.close();
        }),
      );
    },
  };
}
