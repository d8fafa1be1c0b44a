import { z } from 'zod';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { databaseSettings, paymentGatewaySettings } from '../platform/config/settings.js';
import { consistencyCheckOf } from './composition/consistency-check.js';
import { createDatabase } from './composition/database.js';

/** `npm run check:consistency`: prints the report; exits 1 and lists the offenders on any mismatch. */
async function main() {
  const config = loadConfigOrExit(z.object({ ...databaseSettings, ...paymentGatewaySettings }));
  const prisma = createDatabase({ ...config, DATABASE_POOL_MAX: 2 });
  try {
    const report = await consistencyCheckOf(config, prisma)();
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
