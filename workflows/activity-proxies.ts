import { proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  SAGA_HEARTBEAT_TIMEOUTS as heartbeats,
  SAGA_STEP_OPTIONS as options,
} from './step-options.js';

type Proxy = ActivityInterfaceFor<Activities>;

/** The activity proxies a saga runs on, each with its own timeouts and retry policy. */
export interface SagaActivities {
  steps: Proxy;
  compensations: Proxy;
  notifications: Proxy;
  payments: (deadlineSeconds: number) => Proxy;
}

export const sagaActivities: SagaActivities = {
  steps: proxyActivities<Activities>(options.steps),
  compensations: proxyActivities<Activities>({
    ...options.compensations,
    heartbeatTimeout: heartbeats.compensations,
  }),
  notifications: proxyActivities<Activities>(options.notifications),
  payments: (deadlineSeconds) =>
    proxyActivities<Activities>({
      ...options.payments(deadlineSeconds),
      heartbeatTimeout: heartbeats.payments,
    }),
};
