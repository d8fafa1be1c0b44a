import { Context } from '@temporalio/activity';

/** How often a gateway call in flight says its worker is alive (the SDK throttles the sends). */
export const GATEWAY_HEARTBEAT_EVERY_MS = 1_000;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script or a plain unit test): nothing to tell
  }
}

/**
 * Runs a gateway call while heartbeating, so that when the worker dies mid-call Temporal retries
 * the step elsewhere after the short heartbeat timeout of the payment and compensation steps
 * (workflows/step-options.ts), not after their whole start-to-close timeout. Safe to retry: the
 * gateway dedupes by idempotency key.
 */
export async function heartbeatWhile<T>(call: () => Promise<T>): Promise<T> {
  const context = activityContext();
  if (!context) return call();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), GATEWAY_HEARTBEAT_EVERY_MS);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
