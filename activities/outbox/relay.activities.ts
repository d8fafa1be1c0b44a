import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../prisma/client.js';
import type { EventPublisher } from './event-publisher.port.js';
import type { OutboxLogRepository } from './event-log.repository.js';
import type { OutboxRelay } from './relay.drain.js';
import type { OutboxWakeups } from './relay.wakeups.js';
import { runRelayLoop, type RelayStatus } from './relay.loop.js';

export interface OutboxActivityDeps {
  prisma: PrismaClient;
  relay: OutboxRelay;
  publisher: EventPublisher;
  log: OutboxLogRepository;
  /** One LISTEN connection per run, closed when the run ends. */
  listen: () => OutboxWakeups;
  logger: Logger;
  pollIntervalMs: number;
  maxBackoffMs: number;
  retentionDays: number;
}

export interface RelayOutboxInput {
  /** The activity returns after this long so the workflow's history stays short. */
  runForMs: number;
}

const HEARTBEAT_EVERY_MS = 1_000;

export const createOutboxActivities = (deps: OutboxActivityDeps) => ({
  /**
   * The relay, as one long-running activity: heartbeats its status every second (shown in the Web
   * UI as heartbeat details), and when its worker dies Temporal starts it again on another one
   * after the heartbeat timeout.
   */
  async relayOutbox({ runForMs }: RelayOutboxInput): Promise<RelayStatus> {
    const context = Context.current();
    const stop = new AbortController();
    const stopOnCancel = () => stop.abort();
    context.cancellationSignal.addEventListener('abort', stopOnCancel);
    const runEnds = setTimeout(() => stop.abort(), runForMs);
    let status: RelayStatus | undefined;
    const heartbeat = setInterval(() => context.heartbeat(status), HEARTBEAT_EVERY_MS);
    const wakeups = deps.listen();
    try {
      await removeExpired(deps);
      return await runRelayLoop({
        relay: deps.relay,
        publisher: deps.publisher,
        wakeups,
        signal: stop.signal,
        pollIntervalMs: deps.pollIntervalMs,
        maxBackoffMs: deps.maxBackoffMs,
        logger: deps.logger,
        onStatus: (next) => {
          status = next;
        },
      });
    } finally {
      clearTimeout(runEnds);
      clearInterval(heartbeat);
      context.cancellationSignal.removeEventListener('abort', stopOnCancel);
      await wakeups.close();
    }
  },
});

async function removeExpired({ prisma, log, retentionDays, logger }: OutboxActivityDeps) {
  if (retentionDays === 0) return;
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  const removed = await log.deletePublishedBefore(prisma, cutoff);
  if (removed > 0)
    logger.info({ removed, cutoff }, 'event log retention: removed old published events');
}

export type OutboxActivities = ReturnType<typeof createOutboxActivities>;
