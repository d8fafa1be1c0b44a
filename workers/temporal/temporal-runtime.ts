import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import {
  Runtime,
  type LogLevel,
  type LogMetadata,
  type Logger as TemporalLogger,
} from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/**
 * The SDK's logger, writing to the process's pino logger. Workflow and activity `log` calls arrive
 * here with their context (workflowId, runId, workflowType, activityType, …) already in `meta`, so
 * every line a saga writes carries its workflow id, which is also the saga's correlation id.
 */
export function pinoTemporalLogger(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[PINO_LEVEL[level]](meta ?? {}, message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

export interface TemporalRuntimeOptions {
  logger: Logger;
  /** Serve the SDK's worker metrics (and ours, see `Runtime.instance().metricMeter`) on this port; 0 = off. */
  metricsPort: number;
  metricsHost: string;
}

/** Installs the process-wide Temporal runtime: SDK and saga logs to pino, worker metrics to Prometheus. */
export function installTemporalRuntime({
  logger,
  metricsPort,
  metricsHost,
}: TemporalRuntimeOptions): void {
  Runtime.install({
    logger: pinoTemporalLogger(logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(metricsPort > 0 && {
        metrics: {
          prometheus: {
            bindAddress: `${metricsHost}:${metricsPort}`,
            countersTotalSuffix: true,
            unitSuffix: true,
            useSecondsForDurations: true,
          },
        },
      }),
    },
  });
}

/**
 * A pino mixin for the worker's own logger: a line written while an activity runs (by the activity
 * or anything it calls, e.g. the payment gateway client) names that activity's saga.
 */
export function activityLogContext(): object {
  const context = activityContext.getStore();
  if (!context) return {};
  const { workflowExecution, workflowType, activityType, attempt } = context.info;
  return { workflowId: workflowExecution?.workflowId, workflowType, activityType, attempt };
}
