import { pollUntil, type Poll } from '../../support/polling.js';

/** A check of the kafka-outage scenario that did not hold (or a wait that ran out). */
export class ScenarioCheckFailed extends Error {
  override readonly name = 'ScenarioCheckFailed';
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ScenarioCheckFailed(message);
}

const POLL_MS = 250;

/** Polls `probe` until it is done; on timeout a ScenarioCheckFailed says what it last saw. */
export const waitFor = <T>(
  what: string,
  probe: () => Promise<Poll<T>>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> =>
  pollUntil(what, probe, {
    timeoutMs,
    pollMs: POLL_MS,
    signal,
    fail: (message) => new ScenarioCheckFailed(message),
  });
