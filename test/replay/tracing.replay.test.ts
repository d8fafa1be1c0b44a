import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WORKFLOW_TRACING_MODULE,
  tracingWorkerOptions,
} from '../../platform/telemetry/temporal-tracing.js';
import { registerTracing } from '../../platform/telemetry/tracing.js';
import { WORKFLOWS_PATH } from '../support/workflow-worker.js';

/**
 * Tracing can be switched on under sagas already running: the recorded histories (made without
 * the OpenTelemetry interceptors) replay with them, since they add spans but no commands.
 */

const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));
const tracing = registerTracing({
  serviceName: 'replay',
  spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()),
});

afterAll(() => tracing.shutdown());

describe('replay with tracing on', () => {
  it('replays every recorded history with the OpenTelemetry interceptors', async () => {
    const histories = readdirSync(HISTORIES_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((file) => {
        const history = historyFromJSON(
          JSON.parse(readFileSync(`${HISTORIES_DIR}${file}`, 'utf8')),
        );
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        return { workflowId: started?.workflowId ?? file, history };
      });
    expect(histories.length).toBeGreaterThan(0);
    const { interceptors, sinks } = tracingWorkerOptions(tracing);
    const results: ReplayResult[] = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: WORKFLOWS_PATH,
        interceptors: { ...interceptors, workflowModules: [WORKFLOW_TRACING_MODULE] },
        sinks,
      },
      histories,
    )) {
      results.push(result);
    }
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error}`)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });
});
