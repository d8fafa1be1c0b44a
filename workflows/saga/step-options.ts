import type { ActivityOptions } from '@temporalio/workflow';

/** What ordinary and local activities share: timeouts and retry policy. */
type StepOptions = Pick<
  ActivityOptions,
  'startToCloseTimeout' | 'scheduleToCloseTimeout' | 'retry'
>;

/**
 * Timeouts and retry policies per kind of saga step, shared by both sagas and by whichever kind of
 * activity runs them (the benchmark's local-activity variant must use the very same ones to be
 * comparable).
 */
export const SAGA_STEP_OPTIONS = {
  // Database steps are short: a dead worker's attempt times out and is retried elsewhere within seconds.
  steps: {
    startToCloseTimeout: '5s',
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  },
  // Compensations must eventually succeed: unlimited retries, backoff capped at 30 s.
  compensations: {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  },
  // A failed notification never undoes a paid order: a few tries, then the saga moves on.
  notifications: {
    startToCloseTimeout: '5s',
    retry: { initialInterval: '1s', maximumAttempts: 5 },
  },
  payments: (deadlineSeconds: number): StepOptions => ({
    startToCloseTimeout: '10s',
    // The whole payment, retries included, must finish within the deadline or the saga compensates.
    scheduleToCloseTimeout: `${deadlineSeconds}s`,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  }),
} satisfies Record<'steps' | 'compensations' | 'notifications', StepOptions> & {
  payments: (deadlineSeconds: number) => StepOptions;
};

/**
 * Heartbeat timeout of every ordinary saga step (local activities have none): a step whose worker
 * died is retried this soon. Why 2 s, and why it never cuts a live step: activities/liveness.ts.
 */
export const SAGA_HEARTBEAT_TIMEOUT = '2s' satisfies ActivityOptions['heartbeatTimeout'];
