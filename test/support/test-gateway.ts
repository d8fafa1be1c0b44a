import { faultDefaults, gatewayConfigSchema } from '../../payment-gateway/config.js';
import { createFaults } from '../../payment-gateway/faults.js';
import {
  startInProcessGateway,
  type InProcessGateway,
} from '../../harness/support/in-process-gateway.js';

export type TestGateway = Pick<InProcessGateway, 'url' | 'close'>;

/**
 * The payment gateway service (payment-gateway/) for one test run: served from this process on a
 * free port, its ledger in the `payment_gateway` schema of `databaseUrl`, with the service's
 * default faults (none but the declined and fault test cards), whatever the environment sets.
 */
export function startTestGateway(databaseUrl: string): Promise<TestGateway> {
  return startInProcessGateway({
    databaseUrl,
    faults: createFaults(faultDefaults(gatewayConfigSchema.parse({}))),
  });
}
