import type { Duration } from '@temporalio/common';
import { sleep } from '@temporalio/workflow';

/**
 * Test-only workflows that prove the Temporal side of the stack works, independent of the sagas.
 * Bundled from ./index.ts by the worker (workflowsPath), like the real workflows/index.ts.
 */

/** Returns its input: a round trip client → server → worker → server → client. */
export async function echoProbe(message: string): Promise<string> {
  return message;
}

export interface SleepProbeResult {
  /** Workflow time that passed across the timer (the server's clock, skipped or not). */
  sleptMs: number;
}

/** Waits on a durable timer, then reports how much workflow time went by. */
export async function sleepProbe(duration: Duration): Promise<SleepProbeResult> {
  const started = Date.now(); // deterministic in the sandbox: the workflow task's time
  await sleep(duration);
  return { sleptMs: Date.now() - started };
}
