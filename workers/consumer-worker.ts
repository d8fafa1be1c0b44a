import { createKafka } from '../activities/outbox/kafka.publisher.js';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { createPrismaClient } from '../prisma/client.js';
import { consumerConfigSchema } from './consumer.config.js';
import { startSagaEventConsumers } from '../activities/projections/saga-event-consumers.js';

/**
 * Composition root of the event consumers: loyalty points and the order view, each its own kafkajs
 * consumer group. Several processes may run at once; the groups share the partitions out.
 */
async function main() {
  const config = loadConfigOrExit(consumerConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-consumers');
  const logger = createLogger('consumers', config.LOG_LEVEL);
  const prisma = createPrismaClient({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
  });
  const kafka = createKafka(config.KAFKA_BROKERS, `${config.KAFKA_CLIENT_ID}-consumers`);
  const consumers = startSagaEventConsumers({
    kafka,
    prisma,
    groups: { loyalty: config.LOYALTY_CONSUMER_GROUP, orderView: config.ORDER_VIEW_CONSUMER_GROUP },
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    logger,
    tracer: tracing?.tracer('durable-sagas/consumers'),
  });
  logger.info(
    { groups: consumers.map((c) => c.groupId), brokers: config.KAFKA_BROKERS },
    'consumers starting',
  );
  const shutdown = async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await prisma.$disconnect();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
