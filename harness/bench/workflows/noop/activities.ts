import type { OrderItemInput } from '../../../../workflows/orders/order.types.js';

/**
 * The order saga's five steps with nothing behind them: each returns at once. What a workflow with
 * these activities costs is what Temporal itself costs (the engine's ceiling on this machine).
 */
export const createNoopActivities = () => ({
  async createOrder(input: {
    orderId: string;
    customerId: string;
    items: OrderItemInput[];
  }): Promise<{ totalCents: number }> {
    return { totalCents: input.items.reduce((sum, item) => sum + item.quantity * 100, 0) };
  },
  async reserveInventory(_input: { orderId: string }): Promise<void> {},
  async chargePayment(input: {
    orderId: string;
    idempotencyKey: string;
  }): Promise<{ chargeId: string }> {
    return { chargeId: `noop-${input.idempotencyKey}` };
  },
  async confirmOrder(_input: { orderId: string }): Promise<void> {},
  async notifyCustomer(_input: {
    orderId: string;
    customerId: string;
    totalCents: number;
    idempotencyKey: string;
  }): Promise<void> {},
});

export type NoopActivities = ReturnType<typeof createNoopActivities>;
