import type { PrismaClient } from '../../prisma/client.js';
import { currentCorrelationId } from '../correlation.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { appendToOutbox } from '../outbox/outbox.appender.js';
import { captureCharge, refundCharge } from './payment.calls.js';
import type { PaymentGateway } from './payment.port.js';

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

interface Deps {
  prisma: PrismaClient;
  payments: PaymentGateway;
  orders: OrderRepository;
}

export const createPaymentActivities = ({ prisma, payments, orders }: Deps) => ({
  /** Charges the card (network call first, outside any transaction), then records the capture. */
  async chargePayment(input: ChargePaymentInput): Promise<{ chargeId: string }> {
    const outcome = await captureCharge(payments, {
      idempotencyKey: input.idempotencyKey,
      amountCents: input.amountCents,
      cardToken: input.cardToken,
      customerId: input.customerId,
    });
    await prisma.$transaction(async (tx) => {
      if (
        !(await orders.transition(tx, input.orderId, ['RESERVED'], 'PAID', {
          chargeId: outcome.chargeId,
        }))
      )
        return;
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: input.orderId,
        eventType: 'PaymentCaptured',
        payload: {
          orderId: input.orderId,
          chargeId: outcome.chargeId,
          amountCents: outcome.amountCents,
        },
      });
    });
    return { chargeId: outcome.chargeId };
  },

  /** Compensation of chargePayment: refunds whatever was captured under the charge's key, if anything. */
  async refundPayment(input: RefundPaymentInput): Promise<{ refunded: boolean }> {
    const outcome = await refundCharge(payments, {
      idempotencyKey: input.idempotencyKey,
      chargeIdempotencyKey: input.chargeIdempotencyKey,
    });
    if (outcome.kind === 'voided') return { refunded: false };
    await prisma.$transaction(async (tx) => {
      if (!(await orders.recordRefund(tx, input.orderId, outcome.refundId))) return;
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: input.orderId,
        eventType: 'PaymentRefunded',
        payload: {
          orderId: input.orderId,
          chargeId: outcome.chargeId,
          refundId: outcome.refundId,
          amountCents: outcome.amountCents,
        },
      });
    });
    return { refunded: true };
  },
});
