import {
  proxyActivities,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import { SAGA_HEARTBEAT_TIMEOUT, SAGA_STEP_OPTIONS as options } from './step-options.js';

/** The activity proxies a saga runs on, each with its own timeouts and retry policy. */
export interface SagaActivities<A> {
  steps: ActivityInterfaceFor<A>;
  compensations: ActivityInterfaceFor<A>;
  notifications: ActivityInterfaceFor<A>;
  payments: (deadlineSeconds: number) => ActivityInterfaceFor<A>;
}

const live = (stepOptions: ActivityOptions): ActivityOptions => ({
  ...stepOptions,
  heartbeatTimeout: SAGA_HEARTBEAT_TIMEOUT,
});

/** Proxies for one saga's activities (the ones its task queue registers). */
export function sagaActivityProxies<A>(): SagaActivities<A> {
  return {
    steps: proxyActivities<A>(live(options.steps)),
    compensations: proxyActivities<A>(live(options.compensations)),
    notifications: proxyActivities<A>(live(options.notifications)),
    payments: (deadlineSeconds) => proxyActivities<A>(live(options.payments(deadlineSeconds))),
  };
}
