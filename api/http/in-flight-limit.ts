/** Runs a call when a slot is free; answers what the call answers. */
export type InFlightLimit = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * Runs at most `max` calls at once; the others wait their turn, first come first served. Keeps a
 * burst of requests that each hold a long poll on Temporal (an Update waiting for its answer) under
 * the server's per-namespace limit: the burst queues here instead of failing there.
 */
export function createInFlightLimit(max: number): InFlightLimit {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limited<T>(call: () => Promise<T>): Promise<T> {
    if (running < max) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing call hands over its slot
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
