import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../platform/config/load-config.js';
import { recreateDatabase } from '../../harness/support/scratch-database.js';
import { stackConfigSchema } from '../../harness/stack/config.js';
import { createStack, stackDown, stackUp } from '../../harness/stack/stack.js';
import { workerConfigSchema } from '../../workers/worker.config.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';
import {
  npmStartChanges,
  privateNames,
  snapshotNpmStart,
  testDatabaseUrl,
  type NpmStartResources,
  type NpmStartSnapshot,
} from './test-isolation.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
  }
}

/** What `npm start` uses, from the same environment: the run must leave it alone. */
function npmStartResources(): NpmStartResources {
  const worker = loadConfig(workerConfigSchema);
  return {
    databaseUrl: worker.DATABASE_URL,
    temporal: { address: worker.TEMPORAL_ADDRESS, namespace: worker.TEMPORAL_NAMESPACE },
    taskQueues: [worker.ORDER_TASK_QUEUE, worker.BOOKING_TASK_QUEUE, worker.RELAY_TASK_QUEUE],
  };
}

/**
 * Brings the stack's servers up (reusing whatever already runs), makes the run's own database and
 * payment gateway (see test-isolation.ts), and stops what it started. The database stays after the
 * run for a look; the next run makes it afresh. At the end it warns if npm start's database or task
 * queues changed meanwhile.
 */
export default async function setup(project: TestProject) {
  const config = loadConfig(stackConfigSchema);
  const npmStart = npmStartResources();
  const databaseUrl = testDatabaseUrl(config.DATABASE_URL);
  // Only the servers: the run's gateway is its own, and the database the stack creates is the run's.
  const stack = createStack({ ...config, DATABASE_URL: databaseUrl });
  const report = (line: string) => console.log(`[stack] ${line}`);
  const started = await stackUp(stack, config.STACK_START_TIMEOUT_MS, report);
  let gateway: TestGateway | undefined;
  let before: NpmStartSnapshot;
  try {
    before = await snapshotNpmStart(npmStart);
    await recreateDatabase(databaseUrl);
    gateway = await startTestGateway(databaseUrl);
  } catch (error) {
    await stackDown(stack, started, report);
    throw error;
  }
  report(`tests use database ${new URL(databaseUrl).pathname.slice(1)}, gateway ${gateway.url}`);
  project.provide('stackEnv', {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TEMPORAL_UI_PORT: String(config.TEMPORAL_UI_PORT),
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    REDIS_URL: config.REDIS_URL,
    PAYMENT_GATEWAY_URL: gateway.url,
    ...privateNames(),
  });
  return async () => {
    try {
      await gateway?.close();
      const changes = await npmStartChanges(npmStart, before).catch((error: unknown) => {
        report(`could not check npm start's resources: ${(error as Error).message}`);
        return [];
      });
      if (changes.length > 0)
        report(`WARNING: npm start's resources changed during the run: ${changes.join('; ')}`);
    } finally {
      await stackDown(stack, started, report);
    }
  };
}
