import { z } from 'zod';
import { RELAY_TASK_QUEUE, RELAY_WORKFLOW_ID } from '../workflows/contracts/names.js';
import {
  cacheSettings,
  databaseSettings,
  kafkaSettings,
  logSettings,
  paymentGatewaySettings,
  redisSettings,
  relaySettings,
  taskQueueSettings,
  temporalSettings,
  tracingSettings,
} from '../platform/config/settings.js';

const count = z.coerce.number().int().min(1);

export const workerConfigSchema = z.object({
  ...databaseSettings,
  ...temporalSettings,
  ...paymentGatewaySettings,
  ...logSettings,
  ...tracingSettings,
  ...redisSettings,
  ...cacheSettings,
  ...kafkaSettings,
  ...relaySettings,
  ...taskQueueSettings,
  RELAY_TASK_QUEUE: z.string().min(1).default(RELAY_TASK_QUEUE),
  RELAY_WORKFLOW_ID: z.string().min(1).default(RELAY_WORKFLOW_ID),
  /** Temporal SDK worker metrics (and the payment breaker's state) in Prometheus text; 0 = off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: count.default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count.default(100),
  WORKER_MAX_CACHED_WORKFLOWS: count.default(2_000),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
