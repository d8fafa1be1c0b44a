import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { OutboxActivities } from '../../activities/outbox/relay.activities.js';

export interface OutboxRelayInput {
  /** How long each relay activity runs before it returns (and the workflow starts the next). */
  runForMs?: number;
}

const DEFAULT_RUN_MS = 5 * 60_000;
export const RUNS_PER_HISTORY = 50;

/**
 * Keeps exactly one relay activity alive: a long-running, heartbeating activity that Temporal
 * restarts on another worker within the heartbeat timeout when its worker dies. Publish failures
 * are retried inside the activity (with backoff), so they never grow this history; the activity's
 * heartbeat details show its state and last error in the Web UI.
 */
export async function outboxRelay({
  runForMs = DEFAULT_RUN_MS,
}: OutboxRelayInput = {}): Promise<void> {
  const { relayOutbox } = proxyActivities<OutboxActivities>({
    startToCloseTimeout: runForMs + 60_000,
    // How soon a dead worker's relay restarts: activities/liveness.ts.
    heartbeatTimeout: '3s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
    summary: 'publish committed outbox events to Kafka',
  });
  for (let run = 0; run < RUNS_PER_HISTORY; run += 1) {
    await relayOutbox({ runForMs });
  }
  await continueAsNew<typeof outboxRelay>({ runForMs });
}
