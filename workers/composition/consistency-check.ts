import { checkConsistency } from '../../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../../activities/payments/payment.ledger.js';
import type { PaymentGatewaySettings } from './payment-gateway.js';
import type { PrismaClient } from '../../prisma/client.js';

/** The consistency report of `POST /admin/consistency-check` and `npm run check:consistency`. */
export const consistencyCheckOf =
  (config: Pick<PaymentGatewaySettings, 'PAYMENT_GATEWAY_URL'>, prisma: PrismaClient) => () =>
    checkConsistency(prisma, httpLedgerSource(config.PAYMENT_GATEWAY_URL));
