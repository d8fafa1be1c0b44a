import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutboxWakeups } from '../../activities/outbox/relay.wakeups.js';
import { runRelayLoop, type RelayStatus } from '../../activities/outbox/relay.loop.js';

/** Wakeups that only fire when the test says (or when the poll interval passes). */
function manualWakeups(): OutboxWakeups & { notify(): void } {
  let wake: (() => void) | undefined;
  let pending = false;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    next(timeoutMs, signal) {
      if (pending || signal.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal.addEventListener('abort', done);
        wake = done;
      });
    },
    close: async () => {},
  };
}

const logger = () => ({ info: vi.fn(), warn: vi.fn() });

function harness({
  failures = 0,
  maxBackoffMs = 30_000,
  reachable = (): boolean => false,
}: { failures?: number; maxBackoffMs?: number; reachable?: () => boolean } = {}) {
  const stop = new AbortController();
  const wakeups = manualWakeups();
  const statuses: RelayStatus[] = [];
  const drainedAt: number[] = [];
  let failuresLeft = failures;
  let backlog = 0;
  const log = logger();
  const done = runRelayLoop({
    relay: {
      async drain() {
        drainedAt.push(Date.now());
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
        }
        const published = backlog;
        backlog = 0;
        return published;
      },
    },
    publisher: { isReachable: async () => reachable() },
    wakeups,
    signal: stop.signal,
    pollIntervalMs: 60_000,
    maxBackoffMs,
    logger: log,
    onStatus: (status) => statuses.push(status),
  });
  return {
    statuses,
    drainedAt,
    log,
    done,
    stop: () => stop.abort(),
    commit(events: number) {
      backlog += events;
      wakeups.notify();
    },
    setFailures(count: number) {
      failuresLeft = count;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('relay loop', () => {
  it('drains when a commit is notified, then waits idle', async () => {
    const relay = harness();
    await vi.advanceTimersByTimeAsync(0);
    relay.commit(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.drainedAt).toHaveLength(2); // once at start, once for the commit
    expect(relay.statuses.at(-1)).toMatchObject({
      state: 'idle',
      publishedThisRun: 3,
      lastError: null,
    });
    relay.stop();
    expect(await relay.done).toMatchObject({ publishedThisRun: 3 });
  });

  it('still looks on the poll interval when no notification comes', async () => {
    const relay = harness();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.drainedAt).toHaveLength(2);
    relay.stop();
    await relay.done;
  });

  it('backs off exponentially from 1 s, capped at the maximum, while publishing fails', async () => {
    const relay = harness({ failures: 8, maxBackoffMs: 30_000 });
    await vi.advanceTimersByTimeAsync(200_000);
    const gaps = relay.drainedAt.slice(1).map((at, i) => at - relay.drainedAt[i]!);
    expect(gaps.slice(0, 8)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    const failing = relay.statuses.filter((s) => s.state === 'backing-off');
    expect(failing.map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(failing[0]!.lastError).toBe(
      'Error: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    );
    expect(failing[0]!.nextAttemptAt).toBe('2026-11-21T10:00:01.000Z');
    expect(relay.log.warn).toHaveBeenCalledTimes(1); // once per outage, not per attempt
    relay.stop();
    await relay.done;
  });

  it('recovers: the error clears, the backlog drains and the outage is logged as over', async () => {
    const relay = harness({ failures: 3 });
    relay.commit(5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(relay.statuses.at(-1)).toMatchObject({
      state: 'idle',
      lastError: null,
      failingSince: null,
      attempt: 0,
      publishedThisRun: 5,
    });
    expect(relay.log.info).toHaveBeenCalledWith(
      expect.objectContaining({ published: 5 }),
      'publishing to Kafka again; backlog drained',
    );
    relay.stop();
    await relay.done;
  });

  it('tries again within a second of the broker coming back instead of waiting out the backoff', async () => {
    let brokerUp = false;
    const relay = harness({ failures: 6, reachable: () => brokerUp });
    await vi.advanceTimersByTimeAsync(40_000); // attempts at 0, 1, 3, 7, 15, 31 s; next one due at 63 s
    expect(relay.drainedAt).toHaveLength(6);
    brokerUp = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(relay.drainedAt).toHaveLength(7);
    expect(relay.statuses.at(-1)).toMatchObject({ state: 'idle', lastError: null });
    relay.stop();
    await relay.done;
  });

  it('a broker that stays reachable but keeps failing does not cut the backoff short', async () => {
    const relay = harness({ failures: 100, reachable: () => true });
    await vi.advanceTimersByTimeAsync(63_500); // 0, 1, 3, 7, 15, 31, 61 s
    expect(relay.drainedAt).toHaveLength(7);
    relay.stop();
    await relay.done;
  });

  it('stops promptly when aborted, even in the middle of a backoff', async () => {
    const relay = harness({ failures: 100 });
    await vi.advanceTimersByTimeAsync(20_000);
    relay.stop();
    await vi.advanceTimersByTimeAsync(0);
    await expect(relay.done).resolves.toMatchObject({ state: 'backing-off' });
  });
});
