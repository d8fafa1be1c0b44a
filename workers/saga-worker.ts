import { Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { createClients } from './composition/clients.js';
import { createSagaWorkers } from './composition/saga-workers.js';
import { runEntryPoint } from './composition/shutdown-signal.js';
import { exportBreakerState } from './temporal/breaker-metrics.js';
import { availableMetricsPort } from './temporal/metrics-port.js';
import { activityLogContext, installTemporalRuntime } from './temporal/temporal-runtime.js';
import { workerConfigSchema } from './worker.config.js';

/**
 * A saga worker process: the order and booking sagas' workers and the outbox relay's
 * (composition/saga-workers.ts). Several processes may run at once.
 */
async function main() {
  const config = loadConfigOrExit(workerConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-worker');
  const logger = createLogger('saga-worker', config, { mixin: activityLogContext });
  const metricsPort = await availableMetricsPort(
    config.WORKER_METRICS_HOST,
    config.WORKER_METRICS_PORT,
  );
  if (metricsPort !== config.WORKER_METRICS_PORT)
    logger.warn(
      { configured: config.WORKER_METRICS_PORT, metricsPort },
      'metrics port taken (another worker on this machine?): serving worker metrics on a free one',
    );
  installTemporalRuntime({ logger, metricsPort, metricsHost: config.WORKER_METRICS_HOST });
  const clients = await createClients(config, { logger, tracing });
  try {
    exportBreakerState(clients.payments.breaker, Runtime.instance().metricMeter);
    const workers = await createSagaWorkers(config, clients);
    try {
      logger.info(
        {
          taskQueues: workers.taskQueues,
          metrics:
            metricsPort > 0 ? `http://${config.WORKER_METRICS_HOST}:${metricsPort}/metrics` : 'off',
          temporal: config.TEMPORAL_ADDRESS,
        },
        'worker ready',
      );
      // Returns after SIGINT/SIGTERM once in-flight tasks are done.
      await workers.run();
    } finally {
      await workers.stop();
    }
  } finally {
    await clients.close();
    await tracing?.shutdown();
  }
}

runEntryPoint(main);
