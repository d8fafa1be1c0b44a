import type { ActivityOptions } from '@temporalio/workflow';

export const DEFAULT_PAYMENT_DEADLINE_SECONDS = 60;

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
 * Heartbeat timeouts of the ordinary activity proxies (local activities have none): a step that
 * heartbeats is retried this soon after its worker dies, not after its start-to-close timeout. The
 * SDK sends heartbeats at most every 80 % of the timeout (1.6 s here); a false timeout only means
 * a second, deduplicated call at the gateway.
 */
export const SAGA_HEARTBEAT_TIMEOUTS = {
  // Gateway calls heartbeat every second while in flight (activities/payment/payment.heartbeat.ts).
  payments: '2s',
  // Refunds heartbeat the same way; the other compensations are one short idempotent transaction.
  compensations: '2s',
} satisfies Partial<Record<keyof typeof SAGA_STEP_OPTIONS, ActivityOptions['heartbeatTimeout']>>;
