import { createKafka } from '../../activities/outbox/kafka.publisher.js';
import type { ProjectionConsumer } from '../../activities/projections/projection.consumer.js';
import { startSagaEventConsumers } from '../../activities/projections/saga-event-consumers.js';
import type { ConsumerConfig } from '../consumer.config.js';
import type { Clients } from './clients.js';

export interface Consumers {
  /** Loyalty points, then the order view: each its own kafkajs consumer group. */
  consumers: ProjectionConsumer[];
  stop(): Promise<void>;
}

/**
 * The event consumers, started: loyalty points and the order view. Several processes may run them
 * at once; the groups share the partitions out.
 */
export function startConsumers(
  config: ConsumerConfig,
  { prisma, logger, tracing }: Pick<Clients, 'prisma' | 'logger' | 'tracing'>,
): Consumers {
  const consumers = startSagaEventConsumers({
    kafka: createKafka(config.KAFKA_BROKERS, `${config.KAFKA_CLIENT_ID}-consumers`),
    prisma,
    groups: { loyalty: config.LOYALTY_CONSUMER_GROUP, orderView: config.ORDER_VIEW_CONSUMER_GROUP },
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    logger,
    tracer: tracing?.tracer('durable-sagas/consumers'),
  });
  return {
    consumers,
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}
