import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  createBookingSagaActivities,
  createOrderSagaActivities,
  type ActivityDeps,
} from '../../activities/index.js';
import { ensureSearchAttributes } from '../../workers/temporal/search-attributes.js';
import { done, notYet, pollUntil } from './polling.js';
import { workflowBundle } from './workflow-worker.js';

const HISTORIES_DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

/** Polls until `probe` returns a value. */
export function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      const value = await probe();
      return value === undefined ? notYet('no value') : done(value);
    },
    { timeoutMs },
  );
}

/** Saves a saga's history as `histories/<file>.json` for the replay tests, when RECORD_HISTORIES=1. */
export async function recordHistory(
  client: Client,
  workflowId: string,
  file: string,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(`${HISTORIES_DIR}${file}.json`, `${historyToJSON(history)}\n`);
}

/**
 * A Temporal client and a saga worker running in the test process against the real dev server,
 * with the real activities built from `deps`. `stop()` drains the worker and closes both connections.
 */
export async function startSagaWorker({
  address,
  namespace,
  taskQueue,
  deps,
}: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
}) {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const workerConnection = await NativeConnection.connect({ address });
  await ensureSearchAttributes(workerConnection, namespace);
  const worker = await Worker.create({
    connection: workerConnection,
    namespace,
    taskQueue,
    // workflows/index.ts, bundled once per file with a quiet logger.
    workflowBundle: await workflowBundle(),
    // Both sagas on one private queue: the union of what their own queues register.
    activities: { ...createOrderSagaActivities(deps), ...createBookingSagaActivities(deps) },
  });
  const running = worker.run();
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      await connection.close();
    },
  };
}
