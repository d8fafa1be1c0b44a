import {
  createEventLogReadRepository,
  type Backlog,
  type LoggedEvent,
  type LogPage,
} from './event-log.repository.js';
import type { RelayStatus } from './relay.loop.js';
import type { PrismaClient } from '../../prisma/client.js';

export type { Backlog, LoggedEvent, LogPage };

export interface OutboxStatus {
  backlog: {
    unpublished: number;
    oldestUnpublishedAgeMs: number | null;
    lastSequence: number | null;
    lastPublishedAt: string | null;
  };
  relay: RelayExecution;
}

/**
 * The relay as Temporal sees it: its workflow and the activity doing the publishing. The caller
 * reads it from Temporal (api/event-log/relay-execution.ts); this module only reads Postgres.
 */
export interface RelayExecution {
  workflowId: string;
  workflowStatus: string | null;
  activity: {
    state: string;
    attempt: number;
    lastHeartbeatAt: string | null;
    /** Set when the activity itself failed and Temporal is retrying it. */
    lastFailure: string | null;
    /** What the relay last heartbeated: its state, last error, next attempt. */
    status: RelayStatus | null;
  } | null;
}

export interface EventLogQueries {
  readLog(page: LogPage): Promise<LoggedEvent[]>;
  outboxStatus(): Promise<OutboxStatus>;
}

export function createEventLogQueries({
  prisma,
  relayExecution,
}: {
  prisma: PrismaClient;
  relayExecution: () => Promise<RelayExecution>;
}): EventLogQueries {
  const log = createEventLogReadRepository();
  return {
    readLog: (page) => log.readLog(prisma, page),
    async outboxStatus() {
      const [backlog, relay] = await Promise.all([log.backlog(prisma), relayExecution()]);
      return {
        backlog: {
          unpublished: backlog.unpublished,
          oldestUnpublishedAgeMs: backlog.oldestOccurredAt
            ? Date.now() - Date.parse(backlog.oldestOccurredAt)
            : null,
          lastSequence: backlog.lastLogSequence === null ? null : Number(backlog.lastLogSequence),
          lastPublishedAt: backlog.lastPublishedAt,
        },
        relay,
      };
    },
  };
}

/** The outbox backlog as Postgres counts it now (for the metrics scrape). */
export function prismaOutboxBacklog(prisma: PrismaClient): () => Promise<Backlog> {
  const log = createEventLogReadRepository();
  return () => log.backlog(prisma);
}
