import type { Logger } from 'pino';
import { errorText } from '../../platform/config/error-text.js';
import type { EventPublisher } from './event-publisher.port.js';
import type { OutboxRelay } from './relay.drain.js';
import type { OutboxWakeups } from './relay.wakeups.js';

/** What the relay is doing; heartbeated to Temporal, so the Web UI shows it on the relay activity. */
export interface RelayStatus {
  state: 'publishing' | 'idle' | 'backing-off';
  publishedThisRun: number;
  lastPublishedAt: string | null;
  /** The latest failure (Kafka or Postgres unavailable); null once publishing works again. */
  lastError: string | null;
  failingSince: string | null;
  attempt: number;
  nextAttemptAt: string | null;
}

export interface RelayLoopOptions {
  relay: OutboxRelay;
  publisher: Pick<EventPublisher, 'isReachable'>;
  wakeups: OutboxWakeups;
  signal: AbortSignal;
  pollIntervalMs: number;
  maxBackoffMs: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  onStatus?: (status: RelayStatus) => void;
  /** How often to look at the broker while waiting out a backoff. */
  probeIntervalMs?: number;
  firstBackoffMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * Drains the outbox whenever a commit is notified (or the poll interval passes) until `signal`
 * aborts. While publishing fails it backs off exponentially up to `maxBackoffMs`; a broker that
 * comes back (its port opens again) starts a fresh, short backoff, so a recovered Kafka is found
 * within about a second instead of at the end of a 30 s wait.
 */
export async function runRelayLoop(options: RelayLoopOptions): Promise<RelayStatus> {
  const { relay, publisher, wakeups, signal, logger } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 1_000;
  const firstBackoffMs = options.firstBackoffMs ?? 1_000;
  const status: RelayStatus = {
    state: 'idle',
    publishedThisRun: 0,
    lastPublishedAt: null,
    lastError: null,
    failingSince: null,
    attempt: 0,
    nextAttemptAt: null,
  };
  const report = () => options.onStatus?.({ ...status });

  const waitOutBackoff = async (delayMs: number) => {
    const until = Date.now() + delayMs;
    let wasReachable = await publisher.isReachable();
    while (!signal.aborted && Date.now() < until) {
      await sleep(Math.min(probeIntervalMs, until - Date.now()), signal);
      const reachable = await publisher.isReachable();
      if (reachable && !wasReachable) {
        status.attempt = 0;
        return;
      }
      wasReachable = reachable;
    }
  };

  while (!signal.aborted) {
    try {
      status.state = 'publishing';
      report();
      const published = await relay.drain();
      if (published > 0) {
        status.publishedThisRun += published;
        status.lastPublishedAt = new Date().toISOString();
      }
      if (status.failingSince) {
        const downForMs = Date.now() - Date.parse(status.failingSince);
        logger.info({ downForMs, published }, 'publishing to Kafka again; backlog drained');
      }
      Object.assign(status, {
        state: 'idle',
        lastError: null,
        failingSince: null,
        attempt: 0,
        nextAttemptAt: null,
      });
      report();
      await wakeups.next(options.pollIntervalMs, signal);
    } catch (error) {
      if (!status.failingSince) {
        status.failingSince = new Date().toISOString();
        logger.warn({ err: error }, 'publishing to Kafka failed; events wait in the outbox');
      }
      status.attempt += 1;
      const delayMs = Math.min(firstBackoffMs * 2 ** (status.attempt - 1), options.maxBackoffMs);
      Object.assign(status, {
        state: 'backing-off',
        lastError: errorText(error),
        nextAttemptAt: new Date(Date.now() + delayMs).toISOString(),
      });
      report();
      await waitOutBackoff(delayMs);
    }
  }
  return { ...status };
}
