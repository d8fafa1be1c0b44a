import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { sleepProbe } from '../support/workflows/index.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../support/workflows/index.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment | undefined;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    const started = performance.now();
    env = await createTimeSkippingEnv();
    console.log(
      `time-skipping test server started in ${Math.round(performance.now() - started)} ms`,
    );
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietLogger,
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 24 hours in well under 2 s of wall time', async () => {
    const { client, nativeConnection } = env!;
    const taskQueue = `time-skipping-${randomUUID()}`;
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle });

    const { result, wallMs } = await worker.runUntil(async () => {
      const started = performance.now();
      const result = await client.workflow.execute(sleepProbe, {
        args: ['24 hours'],
        taskQueue,
        workflowId: `sleep-probe-${randomUUID()}`,
      });
      return { result, wallMs: performance.now() - started };
    });

    console.log(`24 h workflow sleep took ${Math.round(wallMs)} ms of wall time`);
    expect(result.sleptMs).toBeGreaterThanOrEqual(DAY_MS);
    expect(wallMs).toBeLessThan(2_000);
  });
});

/** The bundler logs every module at info; only problems matter here. */
const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
