import { currentCorrelationId } from '../correlation.js';
import type { NotificationProvider } from './notification.provider.js';

export interface NotifyCustomerInput {
  orderId: string;
  customerId: string;
  idempotencyKey: string;
  totalCents: number;
}

export const createNotificationActivities = ({ notifier }: { notifier: NotificationProvider }) => ({
  async notifyCustomer(input: NotifyCustomerInput): Promise<void> {
    const amount = (input.totalCents / 100).toFixed(2);
    await notifier.send(
      {
        idempotencyKey: input.idempotencyKey,
        orderId: input.orderId,
        recipient: input.customerId,
        subject: `Order ${input.orderId} confirmed`,
        body: `Thank you! Your order ${input.orderId} is confirmed; ${amount} was charged.`,
      },
      currentCorrelationId(),
    );
  },
});
