import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../../prisma/client.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { currentCorrelationId } from '../correlation.js';
import type { OrderRepository } from '../orders/orders.repository.js';
import { appendToOutbox } from '../outbox/outbox.repository.js';
import { PaymentGatewayRejectedError } from './payment.gateway.js';
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

/** A request the gateway refuses as malformed will never succeed: do not retry it. */
async function permanentIfRejected<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PaymentGatewayRejectedError) {
      throw ApplicationFailure.nonRetryable(error.message, ErrorType.PaymentRejected);
    }
    throw error;
  }
}

export const createPaymentActivities = ({ prisma, payments, orders }: Deps) => ({
  /** Charges the card (network call first, outside any transaction), then records the capture. */
  async chargePayment(input: ChargePaymentInput): Promise<{ chargeId: string }> {
    const outcome = await permanentIfRejected(() =>
      payments.charge({
        idempotencyKey: input.idempotencyKey,
        amountCents: input.amountCents,
        cardToken: input.cardToken,
        customerId: input.customerId,
      }),
    );
    if (outcome.kind === 'declined') {
      throw ApplicationFailure.nonRetryable(`payment declined: ${outcome.reason}`, ErrorType.PaymentDeclined, {
        reason: outcome.reason,
      });
    }
    await prisma.$transaction(async (tx) => {
      if (!(await orders.transition(tx, input.orderId, ['RESERVED'], 'PAID', { chargeId: outcome.chargeId }))) return;
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: input.orderId,
        eventType: 'PaymentCaptured',
        payload: { orderId: input.orderId, chargeId: outcome.chargeId, amountCents: outcome.amountCents },
      });
    });
    return { chargeId: outcome.chargeId };
  },

  /** Compensation of chargePayment: refunds whatever was captured under the charge's key, if anything. */
  async refundPayment(input: RefundPaymentInput): Promise<{ refunded: boolean }> {
    const outcome = await permanentIfRejected(() =>
      payments.refund({ idempotencyKey: input.idempotencyKey, chargeIdempotencyKey: input.chargeIdempotencyKey }),
    );
    if (outcome.kind === 'voided') return { refunded: false };
    await prisma.$transaction(async (tx) => {
      if (!(await orders.recordRefund(tx, input.orderId, outcome.refundId))) return;
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: input.orderId,
        eventType: 'PaymentRefunded',
        payload: { orderId: input.orderId, chargeId: outcome.chargeId, refundId: outcome.refundId, amountCents: outcome.amountCents },
      });
    });
    return { refunded: true };
  },
});
