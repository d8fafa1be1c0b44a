import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RelayStatus } from '../../../activities/outbox/relay.loop.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { pollUntil, seconds, type Poll } from '../../support/polling.js';

/** A check of the kill-resume scenario that did not hold (or a wait that ran out). */
export class KillResumeCheckFailed extends Error {
  override readonly name = 'KillResumeCheckFailed';
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new KillResumeCheckFailed(message);
}

export { done, notYet, seconds, type Poll } from '../../support/polling.js';

/** Polls `probe` until it is done; on timeout the error says what it last saw. */
export const waitFor = <T>(
  what: string,
  probe: () => Promise<Poll<T>>,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<T> =>
  pollUntil(what, probe, { ...options, fail: (message) => new KillResumeCheckFailed(message) });

/** `promise`, or a KillResumeCheckFailed once `timeoutMs` has passed without it settling. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new KillResumeCheckFailed(`timed out after ${seconds(timeoutMs)} waiting for ${what}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

// temporal.api.enums.v1.PendingActivityState, as numbers on the wire.
const ACTIVITY_STATES = ['UNSPECIFIED', 'SCHEDULED', 'STARTED', 'CANCEL_REQUESTED'];

export interface PendingActivity {
  type: string;
  state: string;
  attempt: number;
  /** The worker that runs (or last ran) it: `<pid>@<host>`. */
  worker: string;
  lastFailure: string | null;
  heartbeat: unknown;
}

export interface WorkflowProgress {
  /** RUNNING, COMPLETED, FAILED, … */
  status: string;
  pending: PendingActivity[];
}

/** A workflow's status and its pending activities, as Temporal describes them. */
export async function progressOf(client: Client, workflowId: string): Promise<WorkflowProgress> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return {
    status: description.status.name,
    pending: (description.raw.pendingActivities ?? []).map((activity) => {
      const details = activity.heartbeatDetails?.payloads?.[0];
      return {
        type: activity.activityType?.name ?? '?',
        state: ACTIVITY_STATES[Number(activity.state ?? 0)] ?? String(activity.state),
        attempt: activity.attempt ?? 1,
        worker: activity.lastWorkerIdentity ?? '',
        lastFailure: activity.lastFailure?.message ?? null,
        heartbeat: details ? defaultPayloadConverter.fromPayload(details) : null,
      };
    }),
  };
}

/** The relay's activity as Temporal sees it (null while none is scheduled). */
export async function relayActivity(
  client: Client,
  relayWorkflowId: string,
): Promise<(PendingActivity & { status: RelayStatus | null }) | null> {
  const { pending } = await progressOf(client, relayWorkflowId);
  const activity = pending[0];
  return activity ? { ...activity, status: activity.heartbeat as RelayStatus | null } : null;
}

export interface OutboxBacklog {
  unpublished: number;
  /** Unpublished events a transaction holds locked: the relay's claimed batch, until it commits. */
  claimed: number;
}

/** How many events wait in the outbox, and how many a relay has claimed and is publishing. */
export async function outboxBacklog(prisma: PrismaClient): Promise<OutboxBacklog> {
  // KEY SHARE … SKIP LOCKED passes over the rows the relay holds FOR UPDATE, and only for the
  // instant of this statement keeps the relay off the others.
  const [row] = await prisma.$queryRaw<{ unpublished: number; unclaimed: number }[]>`
    SELECT count(*)::int AS unpublished,
           (SELECT count(*)::int FROM (
              SELECT 1 FROM outbox_events WHERE published_at IS NULL FOR KEY SHARE SKIP LOCKED
            ) free) AS unclaimed
    FROM outbox_events WHERE published_at IS NULL`;
  const unpublished = row?.unpublished ?? 0;
  return { unpublished, claimed: unpublished - (row?.unclaimed ?? 0) };
}
