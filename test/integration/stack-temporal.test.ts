import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
// Not re-exported from the package root: maps the SDK's 'KEYWORD' to the server's enum value.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes.js';
import { done, notYet, pollUntil } from '../support/polling.js';
import { echoProbe } from '../support/workflows/index.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../support/workflows/index.ts', import.meta.url));
const env = inject('stackEnv');
const namespace = env.TEMPORAL_NAMESPACE!;

/** List visibility trails the execution by a moment: poll until the query finds something. */
function listUntilFound(
  client: Client,
  query: string,
  timeoutMs = 10_000,
): Promise<WorkflowExecutionInfo[]> {
  return pollUntil(
    `a workflow listed by ${query}`,
    async () => {
      const found: WorkflowExecutionInfo[] = [];
      for await (const info of client.workflow.list({ query })) found.push(info);
      return found.length > 0 ? done(found) : notYet('nothing listed');
    },
    { timeoutMs, pollMs: 250 },
  );
}

describe('Temporal dev server', () => {
  let connection: Connection;
  let client: Client;
  const createdWorkflowIds: string[] = [];

  beforeAll(async () => {
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace });
  });

  afterAll(async () => {
    for (const workflowId of createdWorkflowIds) {
      await connection.workflowService
        .deleteWorkflowExecution({ namespace, workflowExecution: { workflowId } })
        .catch(() => {});
    }
    await connection?.close();
  });

  it('runs a workflow on a real worker; describe and list (by custom search attributes) find it', async () => {
    const taskQueue = `stack-probe-${randomUUID()}`;
    const workflowId = `stack-probe-${randomUUID()}`;
    const marker = `probe-${randomUUID()}`;
    const workerConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue,
        workflowsPath: WORKFLOWS_PATH,
      });
      const result = await worker.runUntil(async () => {
        createdWorkflowIds.push(workflowId);
        return client.workflow.execute(echoProbe, {
          args: [marker],
          taskQueue,
          workflowId,
          // Starting with every custom attribute fails unless the server knows each of them.
          typedSearchAttributes: new TypedSearchAttributes(
            CUSTOM_SEARCH_ATTRIBUTES.map((key) => ({ key, value: marker })),
          ),
        });
      });
      expect(result).toBe(marker);
    } finally {
      await workerConnection.close();
    }

    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.taskQueue).toBe(taskQueue);

    const filters = CUSTOM_SEARCH_ATTRIBUTES.map((key) => `${key.name} = '${marker}'`).join(
      ' AND ',
    );
    const found = await listUntilFound(client, `WorkflowId = '${workflowId}' AND ${filters}`);
    expect(found.map((info) => [info.workflowId, info.status.name])).toEqual([
      [workflowId, 'COMPLETED'],
    ]);
  });

  it('has every custom search attribute registered with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace,
    });
    for (const key of CUSTOM_SEARCH_ATTRIBUTES) {
      expect(customAttributes?.[key.name], key.name).toBe(
        encodeSearchAttributeIndexedValueType(key.type),
      );
    }
  });

  it('serves the Web UI', async () => {
    const response = await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    await response.body?.cancel();
  });
});
