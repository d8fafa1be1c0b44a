import { done, notYet, pollUntil } from '../../support/polling.js';

class GaveUp extends Error {}

/**
 * `pollUntil` for waits a bench outlives: true once `check` holds, false (no error) after
 * `timeoutMs`, so the caller reports what it found and goes on.
 */
export async function pollAtMost(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; pollMs: number; signal?: AbortSignal },
): Promise<boolean> {
  try {
    await pollUntil(what, async () => ((await check()) ? done(true) : notYet('not yet')), {
      ...options,
      fail: (message) => new GaveUp(message),
    });
    return true;
  } catch (error) {
    if (error instanceof GaveUp) return false;
    throw error;
  }
}
