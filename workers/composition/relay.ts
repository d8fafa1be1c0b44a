import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createKafkaPublisher } from '../../activities/outbox/kafka.publisher.js';
import { createOutboxActivities } from '../../activities/outbox/relay.activities.js';
import { createOutboxLogRepository } from '../../activities/outbox/event-log.repository.js';
import { createOutboxRelay } from '../../activities/outbox/relay.drain.js';
import { listenForOutboxCommits } from '../../activities/outbox/relay.wakeups.js';
import type { PrismaClient } from '../../prisma/client.js';
import { RELAY_TASK_QUEUE, RELAY_WORKFLOW_ID } from '../../workflows/contracts/names.js';
import type { OutboxRelayInput } from '../../workflows/outbox/outbox-relay.workflow.js';
import type { WorkerConfig } from '../worker.config.js';

export type RelaySettings = Pick<
  WorkerConfig,
  | 'DATABASE_URL'
  | 'KAFKA_BROKERS'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_TOPIC_PREFIX'
  | 'KAFKA_TOPIC_PARTITIONS'
  | 'RELAY_BATCH_SIZE'
  | 'RELAY_CONCURRENCY'
  | 'RELAY_POLL_INTERVAL_MS'
  | 'RELAY_MAX_BACKOFF_MS'
  | 'EVENT_LOG_RETENTION_DAYS'
>;

/** The relay activity and what it needs, built from config; `close()` releases the Kafka producer. */
export function createRelayActivities(config: RelaySettings, prisma: PrismaClient, logger: Logger) {
  const publisher = createKafkaPublisher({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-relay`,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
  });
  const log = createOutboxLogRepository();
  const relayLogger = logger.child({ component: 'outbox-relay' });
  const activities = createOutboxActivities({
    prisma,
    publisher,
    log,
    relay: createOutboxRelay({
      prisma,
      publisher,
      log,
      batchSize: config.RELAY_BATCH_SIZE,
      concurrency: config.RELAY_CONCURRENCY,
    }),
    listen: () => listenForOutboxCommits(config.DATABASE_URL, relayLogger),
    logger: relayLogger,
    pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
    maxBackoffMs: config.RELAY_MAX_BACKOFF_MS,
    retentionDays: config.EVENT_LOG_RETENTION_DAYS,
  });
  return { activities, close: () => publisher.close() };
}

/** Starts the singleton relay workflow unless it already runs; every worker calls this at boot. */
export async function ensureRelayRunning(
  client: Client,
  {
    workflowId = RELAY_WORKFLOW_ID,
    taskQueue = RELAY_TASK_QUEUE,
    input = {} as OutboxRelayInput,
  } = {},
) {
  return client.workflow.start('outboxRelay', {
    workflowId,
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'Outbox relay: publishes committed events to Kafka',
  });
}
