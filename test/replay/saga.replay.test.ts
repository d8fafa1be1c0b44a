import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../support/workflow-worker.js';

/**
 * Replays the saga (and relay) histories recorded by the integration tests (RECORD_HISTORIES=1) against the
 * current workflow code: a change that would break sagas already running fails here.
 */

const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));
const MISMATCH_WORKFLOWS_PATH = fileURLToPath(
  new URL('../support/replay-mismatch/index.ts', import.meta.url),
);

const historyFiles = readdirSync(HISTORIES_DIR)
  .filter((name) => /^(order-saga|booking-saga|outbox-relay)-.+\.json$/.test(name))
  .sort();

function loadHistory(file: string): HistoryAndWorkflowId {
  const history = historyFromJSON(JSON.parse(readFileSync(`${HISTORIES_DIR}${file}`, 'utf8')));
  // The id the saga ran under: its idempotency keys derive from it.
  const workflowId =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ??
    file.replace(/\.json$/, '');
  return { workflowId, history };
}

async function replay(workflowsPath: string, histories: HistoryAndWorkflowId[]) {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
    results.push(result);
  }
  return results;
}

describe('saga replay', () => {
  let results = new Map<string, ReplayResult>();
  let histories: { file: string; workflowId: string }[] = [];

  beforeAll(async () => {
    const loaded = historyFiles.map((file) => ({ file, ...loadHistory(file) }));
    histories = loaded.map(({ file, workflowId }) => ({ file, workflowId }));
    if (loaded.length === 0) return;
    results = new Map((await replay(WORKFLOWS_PATH, loaded)).map((r) => [r.workflowId, r]));
  });

  it.each(['order-saga', 'booking-saga', 'outbox-relay'])(
    'has recorded %s histories to replay',
    (workflow) => {
      expect(
        historyFiles.filter((f) => f.startsWith(`${workflow}-`)).length,
        `no ${workflow}-*.json in ${HISTORIES_DIR}`,
      ).toBeGreaterThan(0);
    },
  );

  it.each(historyFiles)('replays %s without error', (file) => {
    const entry = histories.find((h) => h.file === file);
    const result = results.get(entry!.workflowId);
    expect(result, `no replay result for ${file}`).toBeDefined();
    expect(result?.error).toBeUndefined();
  });

  it('reports a DeterminismViolationError against a workflow that orders its steps differently', async () => {
    const file = historyFiles.find((name) => name === 'order-saga-happy.json') ?? historyFiles[0];
    expect(file, 'no history to replay').toBeDefined();
    const [result] = await replay(MISMATCH_WORKFLOWS_PATH, [loadHistory(file!)]);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
    expect(result?.error?.message).toMatch(/nondetermin/i);
  });
});
