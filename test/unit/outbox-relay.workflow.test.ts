import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayOutboxInput } from '../../activities/outbox/relay.activities.js';
import type { RelayStatus } from '../../activities/outbox/relay.loop.js';
import { RUNS_PER_HISTORY, outboxRelay } from '../../workflows/outbox/outbox-relay.workflow.js';
import { waitUntil } from '../support/integration-helpers.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { createTestWorker, workflowBundle } from '../support/workflow-worker.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([createTimeSkippingEnv(), workflowBundle()]);
});

afterAll(async () => {
  await env?.teardown();
});

const idle: RelayStatus = {
  state: 'idle',
  publishedThisRun: 0,
  lastPublishedAt: null,
  lastError: null,
  failingSince: null,
  attempt: 0,
  nextAttemptAt: null,
};

describe('outboxRelay workflow', () => {
  it('starts the next relay run as soon as one returns, and continues as new to keep its history short', async () => {
    const taskQueue = `relay-${randomUUID()}`;
    const runs: RelayOutboxInput[] = [];
    const worker = await createTestWorker(env, taskQueue, {
      async relayOutbox(input: RelayOutboxInput) {
        runs.push(input);
        return idle;
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(outboxRelay, {
        taskQueue,
        workflowId: `outbox-relay-${randomUUID()}`,
        args: [{ runForMs: 1_000 }],
      });
      await waitUntil('a second history', async () =>
        runs.length > RUNS_PER_HISTORY + 2 ? true : undefined,
      );
      const first = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.status.name).toBe('RUNNING');
      expect(runs.every((input) => input.runForMs === 1_000)).toBe(true);
      await env.client.workflow.getHandle(handle.workflowId).terminate('test over');
    });
  });

  it('lets Temporal retry a relay run that crashed, without failing the workflow', async () => {
    const taskQueue = `relay-${randomUUID()}`;
    let attempts = 0;
    const worker = await createTestWorker(env, taskQueue, {
      async relayOutbox() {
        attempts += 1;
        if (attempts <= 2) throw new Error('the LISTEN connection could not be opened');
        return idle;
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(outboxRelay, {
        taskQueue,
        workflowId: `outbox-relay-${randomUUID()}`,
        args: [{ runForMs: 1_000 }],
      });
      await waitUntil('the third attempt', async () => (attempts >= 3 ? true : undefined));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const history = await handle.fetchHistory();
      const failures =
        history.events?.filter((event) => event.activityTaskFailedEventAttributes) ?? [];
      expect(failures).toHaveLength(0); // retries happen on the server, not in the history
      await handle.terminate('test over');
    });
  });
});
