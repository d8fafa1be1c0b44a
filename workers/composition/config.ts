import { z } from 'zod';
import { apiConfigSchema } from '../../api/api.config.js';
import { consumerConfigSchema } from '../consumer.config.js';
import { workerConfigSchema } from '../worker.config.js';

/**
 * Every process's settings in one object, for what runs the API, saga workers and consumers in one
 * process (integration tests, scenarios, a bench's API with its worker), e.g.
 * `loadConfig(allInOneConfigSchema, { ...env, ORDER_TASK_QUEUE: 'private' })`. The entry points
 * each validate only their own schema.
 */
export const allInOneConfigSchema = z.object({
  ...apiConfigSchema.shape,
  ...workerConfigSchema.shape,
  ...consumerConfigSchema.shape,
});

export type AllInOneConfig = z.infer<typeof allInOneConfigSchema>;
