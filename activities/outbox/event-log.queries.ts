import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  createOutboxLogRepository,
  type Backlog,
  type LoggedEvent,
  type LogPage,
} from './event-log.repository.js';
import type { RelayStatus } from './relay.loop.js';
import type { PrismaClient } from '../../prisma/client.js';
import { RELAY_WORKFLOW_ID } from '../../workflows/contracts/names.js';
import { isNotFound } from '../../api/http/temporal-errors.js';

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

/** The relay as Temporal sees it: its workflow and the activity doing the publishing. */
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
  const log = createOutboxLogRepository();
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
  const log = createOutboxLogRepository();
  return () => log.backlog(prisma);
}

// temporal.api.enums.v1.PendingActivityState, as numbers on the wire.
const ACTIVITY_STATE = [
  'UNSPECIFIED',
  'SCHEDULED',
  'STARTED',
  'CANCEL_REQUESTED',
  'PAUSED',
  'PAUSE_REQUESTED',
];

const timestamp = (value: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  value?.seconds == null
    ? null
    : new Date(Number(value.seconds) * 1_000 + Math.floor((value.nanos ?? 0) / 1e6)).toISOString();

/** Reads the relay workflow's pending activity, heartbeat details included, from Temporal. */
export function temporalRelayExecution(client: Client, workflowId = RELAY_WORKFLOW_ID) {
  return async (): Promise<RelayExecution> => {
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      const pending = description.raw.pendingActivities?.[0];
      const details = pending?.heartbeatDetails?.payloads?.[0];
      return {
        workflowId,
        workflowStatus: description.status.name,
        activity: pending
          ? {
              state: ACTIVITY_STATE[Number(pending.state ?? 0)] ?? String(pending.state),
              attempt: pending.attempt ?? 1,
              lastHeartbeatAt: timestamp(pending.lastHeartbeatTime),
              lastFailure: pending.lastFailure?.message ?? null,
              status: details ? defaultPayloadConverter.fromPayload<RelayStatus>(details) : null,
            }
          : null,
      };
    } catch (error) {
      if (isNotFound(error)) return { workflowId, workflowStatus: null, activity: null };
      throw error;
    }
  };
}
