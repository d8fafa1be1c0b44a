import { ApplicationFailure } from '@temporalio/activity';
import type { Db, PrismaClient } from '../../prisma/client.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { currentCorrelationId } from '../correlation.js';
import { aggregateEvent, appendToOutbox } from '../outbox/outbox.appender.js';
import { PaymentGatewayRejectedError } from './payment.gateway.js';
import type {
  ChargeRequest,
  PaymentGateway,
  RefundOutcome,
  RefundRequest,
} from './payment.port.js';

/**
 * Every saga's payment steps: the gateway calls, with the gateway's answers translated into
 * Temporal's terms (a decline or a malformed request is permanent; anything else is retried), and
 * the charge and its compensation as the order and booking activities both run them.
 */

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

/** Charges the card; a decline is a non-retryable `PaymentDeclined`. */
export async function captureCharge(
  payments: PaymentGateway,
  request: ChargeRequest,
): Promise<{ chargeId: string; amountCents: number }> {
  const outcome = await permanentIfRejected(() => payments.charge(request));
  if (outcome.kind === 'declined') {
    throw ApplicationFailure.nonRetryable(
      `payment declined: ${outcome.reason}`,
      ErrorType.PaymentDeclined,
      {
        reason: outcome.reason,
      },
    );
  }
  return { chargeId: outcome.chargeId, amountCents: outcome.amountCents };
}

/** Refunds whatever was captured under the charge's key, or voids the key if nothing was. */
export function refundCharge(
  payments: PaymentGateway,
  request: RefundRequest,
): Promise<RefundOutcome> {
  return permanentIfRejected(() => payments.refund(request));
}

/** What a saga's payment step needs besides its own repository. */
export interface PaymentStepDeps {
  prisma: PrismaClient;
  payments: PaymentGateway;
}

/** The order or booking a payment is for: its events go to that aggregate. */
export interface PaymentSubject {
  aggregateType: 'order' | 'booking';
  aggregateId: string;
}

/**
 * Charges the card (the network call first, outside any transaction), then, in one transaction,
 * `recordCharge` and the `PaymentCaptured` event, unless the charge was recorded already.
 */
export async function chargeAndRecord(
  { prisma, payments }: PaymentStepDeps,
  subject: PaymentSubject,
  request: ChargeRequest,
  recordCharge: (tx: Db, chargeId: string) => Promise<boolean>,
): Promise<{ chargeId: string }> {
  const { chargeId, amountCents } = await captureCharge(payments, request);
  await prisma.$transaction(async (tx) => {
    if (!(await recordCharge(tx, chargeId))) return;
    await appendToOutbox(
      tx,
      currentCorrelationId(),
      aggregateEvent(subject.aggregateType, subject.aggregateId, 'PaymentCaptured', {
        chargeId,
        amountCents,
      }),
    );
  });
  return { chargeId };
}

/**
 * Compensation of `chargeAndRecord`: refunds whatever was captured under the charge's key (the
 * network call first), then, in one transaction, `recordRefund` and the `PaymentRefunded` event,
 * unless the refund was recorded already. With nothing captured the gateway voids the key and
 * nothing is recorded.
 */
export async function refundAndRecord(
  { prisma, payments }: PaymentStepDeps,
  subject: PaymentSubject,
  request: RefundRequest,
  recordRefund: (tx: Db, refundId: string) => Promise<boolean>,
): Promise<{ refunded: boolean }> {
  const outcome = await refundCharge(payments, request);
  if (outcome.kind === 'voided') return { refunded: false };
  await prisma.$transaction(async (tx) => {
    if (!(await recordRefund(tx, outcome.refundId))) return;
    await appendToOutbox(
      tx,
      currentCorrelationId(),
      aggregateEvent(subject.aggregateType, subject.aggregateId, 'PaymentRefunded', {
        chargeId: outcome.chargeId,
        refundId: outcome.refundId,
        amountCents: outcome.amountCents,
      }),
    );
  });
  return { refunded: true };
}
