import { sleep } from '../../support/polling.js';

/** An open loop: starts `fire(n)` at a fixed rate whether or not earlier calls have finished. */

export interface SteadyRateOptions {
  perSecond: number;
  /** Stops starting new calls; those in flight still finish. */
  signal: AbortSignal;
  /** Never rejects: a failure is the caller's to record. */
  fire: (n: number) => Promise<void>;
}

/** Resolves with how many calls were started, once `signal` aborted and every call has ended. */
export async function atSteadyRate({
  perSecond,
  signal,
  fire,
}: SteadyRateOptions): Promise<number> {
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  while (!signal.aborted) {
    // Catch up by the clock, so a late timer does not lower the rate.
    const due = Math.floor(((performance.now() - start) * perSecond) / 1000) + 1;
    while (started < due) {
      const call = fire(started++);
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    }
    await sleep(Math.max(0, start + (started * 1000) / perSecond - performance.now()));
  }
  await Promise.allSettled(inFlight);
  return started;
}
