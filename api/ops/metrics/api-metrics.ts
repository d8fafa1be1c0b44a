import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { prismaOutboxBacklog } from '../../../activities/outbox/event-log.queries.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { createKafkaAdminConnection } from '../kafka-admin.js';
import type { MetricsDeps } from '../metrics.routes.js';
import { consumerLagCollector, kafkaConsumerLag } from './consumer-lag.collector.js';
import { outboxBacklogCollector } from './outbox-backlog.collector.js';
import { prismaSagaCounts, sagaOutcomesCollector } from './saga-outcomes.collector.js';

export interface ApiMetricsOptions {
  prisma: PrismaClient;
  kafka: { brokers: string[]; clientId: string };
  /** Consumer groups whose lag is reported. */
  consumerGroups: readonly string[];
  collectTimeoutMs: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/**
 * What `GET /metrics` serves besides the HTTP metrics: process metrics, and saga outcomes, outbox
 * backlog and consumer lag read from Postgres and Kafka at each scrape. `close()` drops the Kafka
 * admin connection.
 */
export function createApiMetrics({
  prisma,
  kafka,
  consumerGroups,
  collectTimeoutMs,
  logger,
}: ApiMetricsOptions): MetricsDeps & { close(): Promise<void> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafkaAdmin = createKafkaAdminConnection(kafka.brokers, kafka.clientId);
  return {
    registry,
    collectTimeoutMs,
    logger,
    collectors: [
      sagaOutcomesCollector(registry, prismaSagaCounts(prisma)),
      outboxBacklogCollector(registry, prismaOutboxBacklog(prisma)),
      consumerLagCollector(registry, kafkaConsumerLag(kafkaAdmin, consumerGroups)),
    ],
    close: () => kafkaAdmin.close(),
  };
}
