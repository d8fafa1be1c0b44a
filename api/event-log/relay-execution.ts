import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RelayExecution } from '../../activities/outbox/event-log.queries.js';
import type { RelayStatus } from '../../activities/outbox/relay.loop.js';
import { RELAY_WORKFLOW_ID } from '../../workflows/contracts/names.js';
import { isNotFound } from '../http/temporal-errors.js';

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
