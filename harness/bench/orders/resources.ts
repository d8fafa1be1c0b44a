import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client.js';
import { handleInterruption } from '../../support/interruption.js';
import { createBenchProduct } from '../support/bench-data.js';
import type { ChildRegistry } from '../support/bench-children.js';
import type { KnownPids } from '../support/cpu.js';
import type { OrdersOptions } from './options.js';

/** Created the first time it is asked for; every later call gets the same promise. */
export const once = <T>(create: () => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
};

/** One run of the order bench: its ids, its lazily created clients, and its abort signal. */
export interface OrdersRun extends ChildRegistry {
  options: OrdersOptions;
  runId: string;
  /** Task queues of the bench's own workers, this run's only. */
  queues: { noop: string; sagaLocal: string; eagerNoop: string; eagerSaga: string };
  /** Aborted on Ctrl-C, or when an in-process worker fails: the load stops. */
  signal: AbortSignal;
  abort(): void;
  prisma: PrismaClient;
  /** The run's product (SKU), created on first use. */
  benchProduct: () => Promise<string>;
  /** Like the API's: a @temporalio/client (grpc-js) connection. */
  grpcClient: () => Promise<Client>;
  /** Eager workflow start needs the client on the NativeConnection of a worker in this process. */
  nativeClient: () => Promise<{ connection: NativeConnection; client: Client }>;
  /** Closed at the end, last first. */
  cleanups: (() => Promise<unknown>)[];
}

export function createOrdersRun(options: OrdersOptions): OrdersRun {
  const { config } = options;
  const runId = randomBytes(4).toString('hex');
  const logDir = path.join(os.tmpdir(), `durable-sagas-bench-${runId}`);
  fs.mkdirSync(logDir, { recursive: true });
  // In-process workers (eager start) log through the core runtime: warnings only, on our stderr.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const abort = new AbortController();
  handleInterruption({ doing: 'stopping', cleanUp: () => abort.abort() });
  const known: KnownPids = new Map([[process.pid, 'bench (load + client)']]);
  const cleanups: (() => Promise<unknown>)[] = [];
  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: 2 });
  cleanups.push(() => prisma.$disconnect());
  return {
    options,
    runId,
    logDir,
    known,
    queues: {
      noop: `bench-noop-${runId}`,
      sagaLocal: `bench-saga-${runId}`,
      eagerNoop: `bench-eager-noop-${runId}`,
      eagerSaga: `bench-eager-saga-${runId}`,
    },
    signal: abort.signal,
    abort: () => abort.abort(),
    prisma,
    benchProduct: once(() => createBenchProduct(prisma, runId)),
    grpcClient: once(async () => {
      const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
      cleanups.push(() => connection.close());
      return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    }),
    nativeClient: once(async () => {
      const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      cleanups.push(() => connection.close());
      return {
        connection,
        client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
      };
    }),
    cleanups,
  };
}
