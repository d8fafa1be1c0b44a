import { createPrismaBookingQueries } from '../../activities/bookings/booking.queries.js';
import { createPrismaEventCommands } from '../../activities/bookings/event.commands.js';
import { createPrismaOrderQueries } from '../../activities/orders/order.queries.js';
import { createEventLogQueries } from '../../activities/outbox/event-log.queries.js';
import { createPrismaViewQueries } from '../../activities/projections/projection.queries.js';
import type { ApiConfig } from '../../api/api.config.js';
import { createApp, type App, type AppDeps } from '../../api/app.js';
import { createTemporalBookingCommands } from '../../api/bookings/temporal-booking.commands.js';
import { temporalRelayExecution } from '../../api/event-log/relay-execution.js';
import {
  kafkaCheck,
  postgresCheck,
  redisCheck,
  temporalCheck,
} from '../../api/ops/health.checks.js';
import { createApiMetrics } from '../../api/ops/metrics/api-metrics.js';
import { createTemporalOrderCommands } from '../../api/orders/temporal-order.commands.js';
import type { WorkerConfig } from '../worker.config.js';
import type { Clients } from './clients.js';
import { consistencyCheckOf } from './consistency-check.js';

/** The API's settings; RELAY_WORKFLOW_ID (the workers') names a private relay the event log reads. */
export type ApiCompositionConfig = ApiConfig & Partial<Pick<WorkerConfig, 'RELAY_WORKFLOW_ID'>>;

export interface Api {
  app: App;
  /** Drops the Kafka admin connections of the readiness check and of `/metrics`. */
  close(): Promise<void>;
}

/** Orders and bookings: the routes that start, signal, update and query sagas. */
function sagaDeps(config: ApiCompositionConfig, { prisma, eventCache, temporal }: Clients) {
  return {
    orderCommands: createTemporalOrderCommands(temporal.client, {
      taskQueue: config.ORDER_TASK_QUEUE,
    }),
    orderQueries: createPrismaOrderQueries(prisma),
    paymentDeadlineSeconds: config.ORDER_PAYMENT_DEADLINE_SECONDS,
    waitTimeoutMs: config.ORDER_WAIT_TIMEOUT_MS,
    bookings: {
      commands: createTemporalBookingCommands(temporal.client, {
        taskQueue: config.BOOKING_TASK_QUEUE,
        maxInFlight: config.BOOKING_MAX_IN_FLIGHT,
      }),
      queries: createPrismaBookingQueries({ prisma, cache: eventCache }),
      eventCommands: createPrismaEventCommands({ prisma, cache: eventCache }),
      holdSeconds: config.BOOKING_HOLD_SECONDS,
      paymentDeadlineSeconds: config.BOOKING_PAYMENT_DEADLINE_SECONDS,
    },
  } satisfies Partial<AppDeps>;
}

/** The event log, the read models and the consistency check. */
function readDeps(config: ApiCompositionConfig, { prisma, temporal }: Clients) {
  return {
    checkConsistency: consistencyCheckOf(config, prisma),
    eventLog: createEventLogQueries({
      prisma,
      relayExecution: temporalRelayExecution(temporal.client, config.RELAY_WORKFLOW_ID),
    }),
    views: createPrismaViewQueries({
      prisma,
      sagaViewConsumer: config.ORDER_VIEW_CONSUMER_GROUP,
      loyaltyConsumer: config.LOYALTY_CONSUMER_GROUP,
    }),
  } satisfies Partial<AppDeps>;
}

/**
 * The REST API as api/server.ts serves it, every route wired to `clients`; `overrides` replace
 * single dependencies (a test's fakes). No I/O happens until a request arrives.
 */
export function buildApi(
  config: ApiCompositionConfig,
  clients: Clients,
  overrides: Partial<AppDeps> = {},
): Api {
  const { prisma, redis, logger, tracing, temporal } = clients;
  const kafkaHealth = kafkaCheck(config.KAFKA_BROKERS, `${config.KAFKA_CLIENT_ID}-api-health`);
  const metrics = createApiMetrics({
    prisma,
    kafka: { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-api-metrics` },
    consumerGroups: [config.LOYALTY_CONSUMER_GROUP, config.ORDER_VIEW_CONSUMER_GROUP],
    collectTimeoutMs: config.METRICS_COLLECT_TIMEOUT_MS,
    logger,
  });
  const checks = [postgresCheck(prisma), temporalCheck(temporal.connection), kafkaHealth];
  const app = createApp({
    tracer: tracing?.tracer('durable-sagas/api'),
    logger,
    ...sagaDeps(config, clients),
    ...readDeps(config, clients),
    health: {
      checks: redis ? [...checks, redisCheck(redis)] : checks,
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    },
    metrics,
    ...overrides,
  });
  return {
    app,
    async close() {
      await kafkaHealth.close();
      await metrics.close();
    },
  };
}
