import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { consumerConfigSchema } from './consumer.config.js';
import { startConsumers } from './composition/consumers.js';
import { createDatabase } from './composition/database.js';
import { runEntryPoint, shutdownSignal } from './composition/shutdown-signal.js';

/**
 * The event consumers' process: loyalty points and the order view, each its own kafkajs consumer
 * group. Several processes may run at once; the groups share the partitions out.
 */
async function main() {
  const config = loadConfigOrExit(consumerConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-consumers');
  const logger = createLogger('consumers', config);
  const prisma = createDatabase(config);
  try {
    const consumers = startConsumers(config, { prisma, logger, tracing });
    try {
      logger.info(
        { groups: consumers.consumers.map((c) => c.groupId), brokers: config.KAFKA_BROKERS },
        'consumers starting',
      );
      await shutdownSignal();
    } finally {
      await consumers.stop();
    }
  } finally {
    await prisma.$disconnect();
    await tracing?.shutdown();
  }
}

runEntryPoint(main);
