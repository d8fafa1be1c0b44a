import type { OrderActivities } from '../../activities/index.js';
import { recordingFakes } from './fake-activities.js';

export { gate } from './fake-activities.js';

type OrderActivityName =
  | 'createOrder'
  | 'reserveInventory'
  | 'releaseInventory'
  | 'chargePayment'
  | 'refundPayment'
  | 'confirmOrder'
  | 'closeOrder'
  | 'notifyCustomer';

export type FakeOrderActivities = Pick<OrderActivities, OrderActivityName>;

/** Fake order-saga activities that record every call; each happy-path default can be overridden. */
export function fakeOrderActivities(overrides: Partial<FakeOrderActivities> = {}) {
  return recordingFakes<OrderActivityName, FakeOrderActivities>(
    {
      createOrder: async () => ({ totalCents: 2_500 }),
      reserveInventory: async () => {},
      releaseInventory: async () => {},
      chargePayment: async () => ({ chargeId: 'ch_fake' }),
      refundPayment: async () => ({ refunded: true }),
      confirmOrder: async () => {},
      closeOrder: async () => {},
      notifyCustomer: async () => {},
    },
    overrides,
  );
}
