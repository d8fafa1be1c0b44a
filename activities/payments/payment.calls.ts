import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { PaymentGatewayRejectedError } from './payment.gateway.js';
import type {
  ChargeRequest,
  PaymentGateway,
  RefundOutcome,
  RefundRequest,
} from './payment.port.js';

/**
 * Gateway calls as every saga's payment step makes them, with the gateway's answers translated
 * into Temporal's terms: a decline or a malformed request is permanent; anything else is retried.
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
