import type { OrderRepository } from '../orders/order.repository.js';
import { chargeAndRecord, refundAndRecord, type PaymentStepDeps } from './payment.calls.js';

export interface ChargePaymentInput {
  orderId: string;
  customerId: string;
  amountCents: number;
  cardToken: string;
  idempotencyKey: string;
}

export interface RefundPaymentInput {
  orderId: string;
  idempotencyKey: string;
  chargeIdempotencyKey: string;
}

interface Deps extends PaymentStepDeps {
  orders: OrderRepository;
}

export const createPaymentActivities = ({ orders, ...payment }: Deps) => ({
  /** Charges the card (network call first, outside any transaction), then records the capture. */
  chargePayment(input: ChargePaymentInput): Promise<{ chargeId: string }> {
    return chargeAndRecord(
      payment,
      { aggregateType: 'order', aggregateId: input.orderId },
      {
        idempotencyKey: input.idempotencyKey,
        amountCents: input.amountCents,
        cardToken: input.cardToken,
        customerId: input.customerId,
      },
      (tx, chargeId) => orders.transition(tx, input.orderId, ['RESERVED'], 'PAID', { chargeId }),
    );
  },

  /** Compensation of chargePayment: refunds whatever was captured under the charge's key, if anything. */
  refundPayment(input: RefundPaymentInput): Promise<{ refunded: boolean }> {
    return refundAndRecord(
      payment,
      { aggregateType: 'order', aggregateId: input.orderId },
      { idempotencyKey: input.idempotencyKey, chargeIdempotencyKey: input.chargeIdempotencyKey },
      (tx, refundId) => orders.recordRefund(tx, input.orderId, refundId),
    );
  },
});
