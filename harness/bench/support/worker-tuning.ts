import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { workerConfigSchema } from '../../../workers/worker.config.js';

const count = z.coerce.number().int().min(1);

// Not exported from the package index.
type PollerBehavior = NonNullable<WorkerOptions['workflowTaskPollerBehavior']>;

/** `10` (a fixed maximum) or `auto` / `auto:<min>:<max>` (pollers scaled on the server's feedback). */
const pollers = z
  .string()
  .regex(/^(\d+|auto(:\d+:\d+)?)$/, 'expected a number, "auto" or "auto:<min>:<max>"')
  .transform((value): PollerBehavior => {
    if (/^\d+$/.test(value)) return { type: 'simple-maximum', maximum: Number(value) };
    const [, min, max] = value.split(':');
    return min && max
      ? {
          type: 'autoscaling',
          minimum: Number(min),
          maximum: Number(max),
          initial: Math.min(Number(max), Math.max(Number(min), 5)),
        }
      : { type: 'autoscaling' };
  });

/**
 * The bench's own workers take the real worker's settings (same names, same defaults) and a few
 * more that workers/saga-worker.ts does not expose yet. Unset extras keep the SDK defaults.
 */
export const benchWorkerConfigSchema = workerConfigSchema.extend({
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: count.optional(),
  /** Workflow task pollers (SDK default: a fixed maximum of min(10, max concurrent workflow tasks)). */
  WORKER_WORKFLOW_POLLERS: pollers.optional(),
  /** Activity task pollers (SDK default: a fixed maximum of min(10, max concurrent activities)). */
  WORKER_ACTIVITY_POLLERS: pollers.optional(),
  /** Activity slots reserved per workflow task for eager dispatch; 0 turns eager activities off (SDK default 3). */
  WORKER_MAX_EAGER_ACTIVITIES: z.coerce.number().int().min(0).optional(),
});

export type BenchWorkerConfig = z.infer<typeof benchWorkerConfigSchema>;

/** The names of the settings above that the real worker ignores (they only reach the bench's workers). */
export const BENCH_ONLY_SETTINGS = [
  'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
  'WORKER_WORKFLOW_POLLERS',
  'WORKER_ACTIVITY_POLLERS',
  'WORKER_MAX_EAGER_ACTIVITIES',
] as const;

/** Every setting that tunes a worker, for the report header. */
export const WORKER_SETTINGS = [
  'WORKER_MAX_CONCURRENT_ACTIVITIES',
  'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  'WORKER_MAX_CACHED_WORKFLOWS',
  ...BENCH_ONLY_SETTINGS,
  'DATABASE_POOL_MAX',
  'LOG_LEVEL',
] as const;

export function tuningOptions(config: BenchWorkerConfig): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    ...(config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES && {
      maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    }),
    ...(config.WORKER_WORKFLOW_POLLERS && {
      workflowTaskPollerBehavior: config.WORKER_WORKFLOW_POLLERS,
    }),
    ...(config.WORKER_ACTIVITY_POLLERS && {
      activityTaskPollerBehavior: config.WORKER_ACTIVITY_POLLERS,
    }),
    ...(config.WORKER_MAX_EAGER_ACTIVITIES !== undefined && {
      maxEagerActivityReservationsPerWorkflowTask: config.WORKER_MAX_EAGER_ACTIVITIES,
    }),
  };
}
