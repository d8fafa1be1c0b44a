import { z } from 'zod';
import {
  consumerSettings,
  databaseSettings,
  kafkaSettings,
  logSettings,
  tracingSettings,
} from '../platform/config/settings.js';

export const consumerConfigSchema = z.object({
  ...databaseSettings,
  ...kafkaSettings,
  ...consumerSettings,
  ...logSettings,
  ...tracingSettings,
});

export type ConsumerConfig = z.infer<typeof consumerConfigSchema>;
