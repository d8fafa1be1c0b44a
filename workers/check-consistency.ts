import { z } from 'zod';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { databaseSettings, paymentGatewaySettings } from '../platform/config/settings.js';
import { createPrismaClient } from '../prisma/client.js';
import { checkConsistency } from '../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../activities/payments/payment.ledger.js';

/** `npm run check:consistency`: prints the report; exits 1 and lists the offenders on any mismatch. */
async function main() {
  const config = loadConfigOrExit(z.object({ ...databaseSettings, ...paymentGatewaySettings }));
  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolMax: 2 });
  try {
    const report = await checkConsistency(prisma, httpLedgerSource(config.PAYMENT_GATEWAY_URL));
    const { events, bookings, charges } = report.checked;
    console.log(`checked ${events} event(s), ${bookings} booking(s), ${charges} gateway charge(s)`);
    if (report.ok) {
      console.log(
        'consistent: seats are conserved and every confirmed booking has exactly one captured charge',
      );
      return;
    }
    console.error(`INCONSISTENT: ${report.offenders.length} offender(s)`);
    for (const offender of report.offenders) console.error(`  ${JSON.stringify(offender)}`);
    process.exitCode = 1;
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
