import { Context } from '@temporalio/activity';

/** How often a running activity says its worker is alive (the SDK throttles the sends further). */
export const LIVENESS_HEARTBEAT_EVERY_MS = 500;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script or a plain unit test): nothing to tell
  }
}

/**
 * Runs `call` while heartbeating every half second, so that when the worker dies mid-step Temporal
 * retries the step elsewhere after the saga's 2 s heartbeat timeout (SAGA_HEARTBEAT_TIMEOUT,
 * workflows/saga/step-options.ts), not after its whole start-to-close timeout; a step that is slow
 * but alive (a saturated pool, a slow gateway) keeps heartbeating and is never timed out by it.
 * The SDK's core sends the latest heartbeat every 80 % of the timeout (1.6 s) from its own thread,
 * so a busy event loop only matters past a second; a false timeout costs one more attempt. Steps
 * done within half a second send nothing. Safe to retry: every activity is idempotent.
 *
 * The outbox relay heartbeats its status every second on its own (relay.activities.ts) under a 3 s
 * timeout (sent every 2.4 s): a dead worker's relay restarts within ~4 s.
 */
export async function heartbeatWhile<T>(call: () => Promise<T>): Promise<T> {
  const context = activityContext();
  if (!context) return call();
  const timer = setInterval(() => context.heartbeat(), LIVENESS_HEARTBEAT_EVERY_MS);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/** The same activities, each running under `heartbeatWhile`. */
export function withLivenessHeartbeats<A extends AsyncFunctions>(activities: A): A {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      (...args: never[]) => heartbeatWhile(() => activity(...args)),
    ]),
  ) as A;
}
