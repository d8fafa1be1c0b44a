import { z } from 'zod';
import {
  consumerSettings,
  databaseSettings,
  kafkaSettings,
  logSettings,
} from '../../config/settings.js';

export const consumerConfigSchema = z.object({
  ...databaseSettings,
  ...kafkaSettings,
  ...consumerSettings,
  ...logSettings,
});

export type ConsumerConfig = z.infer<typeof consumerConfigSchema>;
