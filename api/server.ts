import { createAdaptorServer } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import { createCacheRedis, createRedisEventCache } from '../activities/bookings/event.cache.js';
import { checkConsistency } from '../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../activities/payments/payment.ledger.js';
import { tracingClientInterceptors } from '../platform/telemetry/temporal-tracing.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { createPrismaClient } from '../prisma/client.js';
import { createApp } from './app.js';
import { kafkaCheck, postgresCheck, redisCheck, temporalCheck } from './ops/health.checks.js';
import { createApiMetrics } from './ops/metrics/api-metrics.js';
import { apiConfigSchema } from './api.config.js';
import { createPrismaBookingQueries } from '../activities/bookings/booking.queries.js';
import { createPrismaEventCommands } from '../activities/bookings/event.commands.js';
import { createEventLogQueries } from '../activities/outbox/event-log.queries.js';
import { temporalRelayExecution } from './event-log/relay-execution.js';
import { createPrismaOrderQueries } from '../activities/orders/order.queries.js';
import { createTemporalBookingCommands } from './bookings/temporal-booking.commands.js';
import { createTemporalOrderCommands } from './orders/temporal-order.commands.js';
import { createPrismaViewQueries } from '../activities/projections/projection.queries.js';

/** Composition root of the HTTP API. */
async function main() {
  const config = loadConfigOrExit(apiConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-api');
  const logger = createLogger('api', config.LOG_LEVEL);
  const prisma = createPrismaClient({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
  });
  const redis = createCacheRedis(config.REDIS_URL);
  const cache = createRedisEventCache({
    redis,
    ttlMs: config.EVENT_CACHE_TTL_SECONDS * 1_000,
    logger,
  });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: tracing ? tracingClientInterceptors() : undefined,
  });
  const kafkaHealth = kafkaCheck(config.KAFKA_BROKERS, `${config.KAFKA_CLIENT_ID}-api-health`);
  const metrics = createApiMetrics({
    prisma,
    kafka: { brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-api-metrics` },
    consumerGroups: [config.LOYALTY_CONSUMER_GROUP, config.ORDER_VIEW_CONSUMER_GROUP],
    collectTimeoutMs: config.METRICS_COLLECT_TIMEOUT_MS,
    logger,
  });
  const app = createApp({
    tracer: tracing?.tracer('durable-sagas/api'),
    orderCommands: createTemporalOrderCommands(client, { taskQueue: config.ORDER_TASK_QUEUE }),
    orderQueries: createPrismaOrderQueries(prisma),
    logger,
    paymentDeadlineSeconds: config.ORDER_PAYMENT_DEADLINE_SECONDS,
    waitTimeoutMs: config.ORDER_WAIT_TIMEOUT_MS,
    bookings: {
      commands: createTemporalBookingCommands(client, {
        taskQueue: config.BOOKING_TASK_QUEUE,
        maxInFlight: config.BOOKING_MAX_IN_FLIGHT,
      }),
      queries: createPrismaBookingQueries({ prisma, cache }),
      eventCommands: createPrismaEventCommands({ prisma, cache }),
      holdSeconds: config.BOOKING_HOLD_SECONDS,
      paymentDeadlineSeconds: config.BOOKING_PAYMENT_DEADLINE_SECONDS,
    },
    checkConsistency: () => checkConsistency(prisma, httpLedgerSource(config.PAYMENT_GATEWAY_URL)),
    eventLog: createEventLogQueries({ prisma, relayExecution: temporalRelayExecution(client) }),
    views: createPrismaViewQueries({
      prisma,
      sagaViewConsumer: config.ORDER_VIEW_CONSUMER_GROUP,
      loyaltyConsumer: config.LOYALTY_CONSUMER_GROUP,
    }),
    health: {
      checks: [postgresCheck(prisma), temporalCheck(connection), kafkaHealth, redisCheck(redis)],
      timeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
    },
    metrics,
  });
  const server = createAdaptorServer({ fetch: app.fetch });
  // Node's default accept backlog (511) drops connections when a thousand clients arrive at once;
  // the kernel still caps it at net.core.somaxconn.
  server.listen({ host: config.API_HOST, port: config.API_PORT, backlog: 4_096 }, () => {
    const base = `http://${config.API_HOST}:${config.API_PORT}`;
    logger.info({ url: base, docs: `${base}/docs`, metrics: `${base}/metrics` }, 'api ready');
  });
  const shutdown = () => {
    server.close(async () => {
      await kafkaHealth.close();
      await metrics.close();
      await connection.close();
      await prisma.$disconnect();
      redis.disconnect();
      await tracing?.shutdown();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
