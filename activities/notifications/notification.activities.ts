import { money } from '../../workflows/contracts/money.js';
import { currentCorrelationId } from '../correlation.js';
import type { NotificationProvider } from './notification.provider.js';

export interface NotifyCustomerInput {
  orderId: string;
  customerId: string;
  idempotencyKey: string;
  totalCents: number;
}

export interface NotifyBookingConfirmedInput {
  bookingId: string;
  customerId: string;
  idempotencyKey: string;
  seats: number;
  totalCents: number;
}

export const createNotificationActivities = ({ notifier }: { notifier: NotificationProvider }) => ({
  async notifyCustomer(input: NotifyCustomerInput): Promise<void> {
    await notifier.send(
      {
        idempotencyKey: input.idempotencyKey,
        about: { type: 'order', id: input.orderId },
        recipient: input.customerId,
        subject: `Order ${input.orderId} confirmed`,
        body: `Thank you! Your order ${input.orderId} is confirmed; ${money(input.totalCents)} was charged.`,
      },
      currentCorrelationId(),
    );
  },

  async notifyBookingConfirmed(input: NotifyBookingConfirmedInput): Promise<void> {
    await notifier.send(
      {
        idempotencyKey: input.idempotencyKey,
        about: { type: 'booking', id: input.bookingId },
        recipient: input.customerId,
        subject: `Booking ${input.bookingId} confirmed`,
        body: `Your ${input.seats} seat(s) are booked (booking ${input.bookingId}); ${money(input.totalCents)} was charged.`,
      },
      currentCorrelationId(),
    );
  },
});
