import {
  proxyActivities,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { SAGA_HEARTBEAT_TIMEOUT, SAGA_STEP_OPTIONS as options } from './step-options.js';

type Proxy = ActivityInterfaceFor<Activities>;

/** The activity proxies a saga runs on, each with its own timeouts and retry policy. */
export interface SagaActivities {
  steps: Proxy;
  compensations: Proxy;
  notifications: Proxy;
  payments: (deadlineSeconds: number) => Proxy;
}

const live = (stepOptions: ActivityOptions): ActivityOptions => ({
  ...stepOptions,
  heartbeatTimeout: SAGA_HEARTBEAT_TIMEOUT,
});

export const sagaActivities: SagaActivities = {
  steps: proxyActivities<Activities>(live(options.steps)),
  compensations: proxyActivities<Activities>(live(options.compensations)),
  notifications: proxyActivities<Activities>(live(options.notifications)),
  payments: (deadlineSeconds) =>
    proxyActivities<Activities>(live(options.payments(deadlineSeconds))),
};
