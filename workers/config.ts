import { z } from 'zod';
import {
  cacheSettings,
  databaseSettings,
  kafkaSettings,
  logSettings,
  paymentGatewaySettings,
  redisSettings,
  relaySettings,
  temporalSettings,
} from '../config/settings.js';

const count = z.coerce.number().int().min(1);

export const workerConfigSchema = z.object({
  ...databaseSettings,
  ...temporalSettings,
  ...paymentGatewaySettings,
  ...logSettings,
  ...redisSettings,
  ...cacheSettings,
  ...kafkaSettings,
  ...relaySettings,
  WORKER_MAX_CONCURRENT_ACTIVITIES: count.default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count.default(100),
  WORKER_MAX_CACHED_WORKFLOWS: count.default(2_000),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
