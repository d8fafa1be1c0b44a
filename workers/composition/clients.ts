import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  createCacheRedis,
  createRedisEventCache,
  type EventCache,
} from '../../activities/bookings/event.cache.js';
import type { PaymentGatewayWithBreaker } from '../../activities/payments/payment.breaker.js';
import { tracingClientInterceptors } from '../../platform/telemetry/temporal-tracing.js';
import type { Tracing } from '../../platform/telemetry/tracing.js';
import type { PrismaClient } from '../../prisma/client.js';
import type { WorkerConfig } from '../worker.config.js';
import { createDatabase, type DatabaseConfig } from './database.js';
import { createPaymentGatewayFromConfig } from './payment-gateway.js';

/** What the API and the saga workers both connect to; both processes' configs have it. */
export type ClientsConfig = DatabaseConfig &
  Pick<
    WorkerConfig,
    | 'TEMPORAL_ADDRESS'
    | 'TEMPORAL_NAMESPACE'
    | 'REDIS_URL'
    | 'EVENT_CACHE_TTL_SECONDS'
    | 'PAYMENT_GATEWAY_URL'
    | 'PAYMENT_GATEWAY_TIMEOUT_MS'
    | 'PAYMENT_BREAKER_FAILURES'
    | 'PAYMENT_BREAKER_HALF_OPEN_MS'
  >;

export interface TemporalClients {
  /** A NativeConnection when a worker in the process shares it (so that starts can be eager). */
  connection: Connection | NativeConnection;
  client: Client;
}

export interface ClientsOptions {
  /** The process's logger: its name says which process writes. */
  logger: Logger;
  /** The process's tracing, when on: the Temporal client, workers, API and consumers then trace. */
  tracing?: Tracing;
  /** A cache instead of Redis at REDIS_URL (no Redis connection is made), e.g. `noEventCache`. */
  eventCache?: EventCache;
  /** A Temporal client instead of one connected to TEMPORAL_ADDRESS; whoever made it closes it. */
  temporal?: TemporalClients;
}

/** The clients a process shares between its API, saga workers and consumers. */
export interface Clients {
  logger: Logger;
  tracing: Tracing | undefined;
  prisma: PrismaClient;
  eventCache: EventCache;
  /** The event cache's Redis, which the readiness check pings; absent when a cache was given. */
  redis: Redis | undefined;
  temporal: TemporalClients;
  /** The HTTP payment gateway behind its circuit breaker; no I/O until a call. */
  payments: PaymentGatewayWithBreaker;
  /** Closes what it opened (not the given tracing, cache or Temporal client). */
  close(): Promise<void>;
}

function eventCacheFrom(config: ClientsConfig, { eventCache, logger }: ClientsOptions) {
  if (eventCache) return { eventCache, redis: undefined };
  const redis = createCacheRedis(config.REDIS_URL);
  const ttlMs = config.EVENT_CACHE_TTL_SECONDS * 1_000;
  return { eventCache: createRedisEventCache({ redis, ttlMs, logger }), redis };
}

async function connectTemporal(config: ClientsConfig, tracing: Tracing | undefined) {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: tracing ? tracingClientInterceptors() : undefined,
  });
  return { connection, client };
}

/** Builds the clients; of them, only the Temporal connection is made before it returns. */
export async function createClients(
  config: ClientsConfig,
  options: ClientsOptions,
): Promise<Clients> {
  const { logger, tracing } = options;
  const prisma = createDatabase(config);
  const { eventCache, redis } = eventCacheFrom(config, options);
  const closeStores = async () => {
    await prisma.$disconnect();
    redis?.disconnect();
  };
  const temporal =
    options.temporal ??
    (await connectTemporal(config, tracing).catch(async (error: unknown) => {
      await closeStores();
      throw error;
    }));
  return {
    logger,
    tracing,
    prisma,
    eventCache,
    redis,
    temporal,
    payments: createPaymentGatewayFromConfig(config, logger),
    async close() {
      if (!options.temporal) await temporal.connection.close();
      await closeStores();
    },
  };
}
