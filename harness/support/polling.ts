import { setTimeout as wait } from 'node:timers/promises';

/** Waits `ms`; rejects early (AbortError) when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  wait(ms, undefined, { signal });

/** What one look at the system found: the awaited value, or what it saw instead (for the timeout message). */
export type Poll<T> = { done: T } | { seen: string };
export const done = <T>(value: T): Poll<T> => ({ done: value });
export const notYet = (seen: string): Poll<never> => ({ seen });

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A probe for a yes/no check: done once `check` holds. */
export const holds =
  (check: () => Promise<boolean>, seen = 'not yet') =>
  async (): Promise<Poll<true>> =>
    (await check()) ? done(true) : notYet(seen);

/**
 * Polls `probe` until it is done; on timeout fails with `fail(message)` (a plain Error unless
 * told), the message saying what it last saw. A probe that throws ends the wait with its error.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<Poll<T>>,
  {
    timeoutMs,
    pollMs = 100,
    signal,
    fail = (message) => new Error(message),
  }: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
    fail?: (message: string) => Error;
  },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await probe();
    if ('done' in outcome) return outcome.done;
    if (Date.now() > deadline)
      throw fail(
        `timed out after ${seconds(timeoutMs)} waiting for ${what}; last seen: ${outcome.seen}`,
      );
    await sleep(pollMs, signal);
  }
}
