import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../platform/config/load-config.js';
import { MIGRATIONS_DIR, migrateDeploy } from '../../prisma/migration-runner.js';
import { stackConfigSchema } from '../../harness/stack/config.js';
import { createFullStack } from '../../harness/stack/full-stack.js';
import { stackDown, stackUp } from '../../harness/stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
  }
}

/** Brings the real stack up (reusing whatever already runs), migrates, and stops what it started. */
export default async function setup(project: TestProject) {
  const config = loadConfig(stackConfigSchema);
  const stack = createFullStack(config);
  const report = (line: string) => console.log(`[stack] ${line}`);
  const started = await stackUp(stack, config.STACK_START_TIMEOUT_MS, report);
  await migrateDeploy(config.DATABASE_URL, MIGRATIONS_DIR);
  project.provide('stackEnv', {
    DATABASE_URL: config.DATABASE_URL,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TEMPORAL_UI_PORT: String(config.TEMPORAL_UI_PORT),
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    REDIS_URL: config.REDIS_URL,
    PAYMENT_GATEWAY_URL: config.PAYMENT_GATEWAY_URL,
  });
  return async () => {
    await stackDown(stack, started, report);
  };
}
