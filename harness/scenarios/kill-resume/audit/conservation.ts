import {
  checkConsistency,
  type ConsistencyReport,
} from '../../../../activities/ops/consistency.check.js';
import { EVENT_SEATS } from '../mix.js';
import { check } from '../probes.js';
import type { AuditContext } from './audit-context.js';

export interface StockAudit {
  sku: string;
  initial: number;
  onHand: number;
  committed: number;
}

export interface SeatAudit {
  events: number;
  total: number;
  available: number;
  confirmed: number;
}

/** Stock and seats add up, and the consistency check finds no offender. */
export async function auditConservation(audit: AuditContext): Promise<{
  consistency: ConsistencyReport['checked'];
  stock: StockAudit[];
  seats: SeatAudit;
}> {
  const consistency = await checkConsistency(audit.prisma, audit.gateway.ledger);
  check(
    consistency.ok,
    `the consistency check found ${consistency.offenders.length} offender(s): ${JSON.stringify(consistency.offenders.slice(0, 5))}`,
  );
  const stock = await auditStock(audit);
  const seats = await auditSeats(audit);
  audit.narrate(
    `[audit] conserved: ${stock.map((s) => `${s.sku} ${s.onHand} on hand + ${s.committed} sold = ${s.initial}`).join('; ')}; ` +
      `seats ${seats.total - seats.available} taken = ${seats.confirmed} confirmed of ${seats.total} in ${seats.events} events; ` +
      `consistency check ok (${consistency.checked.events} events, ${consistency.checked.bookings} bookings, ` +
      `${consistency.checked.charges} booking charges)`,
  );
  return { consistency: consistency.checked, stock, seats };
}

/** Per product: on hand + sold = initial, nothing left reserved; the confirmed orders bought what was sold. */
async function auditStock({ prisma, products, sagas }: AuditContext): Promise<StockAudit[]> {
  const stock: StockAudit[] = [];
  for (const product of Object.values(products)) {
    const [row, committed, reserved] = await Promise.all([
      prisma.product.findUniqueOrThrow({ where: { sku: product.sku } }),
      prisma.inventoryReservation.aggregate({
        where: { sku: product.sku, status: 'COMMITTED' },
        _sum: { quantity: true },
      }),
      prisma.inventoryReservation.count({ where: { sku: product.sku, status: 'RESERVED' } }),
    ]);
    const units = committed._sum.quantity ?? 0;
    check(
      reserved === 0 && row.stockOnHand + units === product.stock,
      `${product.sku}: ${row.stockOnHand} on hand + ${units} sold ≠ ${product.stock} (and ${reserved} reservation(s) left RESERVED)`,
    );
    stock.push({
      sku: product.sku,
      initial: product.stock,
      onHand: row.stockOnHand,
      committed: units,
    });
  }
  const soldUnits = sagas
    .filter((saga) => saga.kind === 'order' && saga.expect === 'CONFIRMED')
    .reduce((sum, saga) => sum + saga.totalCents / products.plenty.priceCents, 0);
  check(
    stock[0]!.committed === soldUnits,
    `${products.plenty.sku}: ${stock[0]!.committed} units committed, the confirmed orders bought ${soldUnits}`,
  );
  return stock;
}

/** The run's events: seats taken = seats of the confirmed bookings. */
async function auditSeats({ prisma, sagas }: AuditContext): Promise<SeatAudit> {
  const bookingRows = await prisma.booking.findMany({
    where: { id: { in: sagas.filter((s) => s.kind === 'booking').map((s) => s.id) } },
    select: { eventId: true, status: true, seats: true },
  });
  const eventIds = [...new Set(bookingRows.map((b) => b.eventId))];
  const events = await prisma.event.findMany({ where: { id: { in: eventIds } } });
  const confirmedSeats = bookingRows
    .filter((b) => b.status === 'CONFIRMED')
    .reduce((sum, b) => sum + b.seats, 0);
  const seats = {
    events: events.length,
    total: events.reduce((sum, e) => sum + e.totalSeats, 0),
    available: events.reduce((sum, e) => sum + e.availableSeats, 0),
    confirmed: confirmedSeats,
  };
  check(
    seats.total === events.length * EVENT_SEATS && seats.total - seats.available === confirmedSeats,
    `seats: ${seats.total} in ${seats.events} events, ${seats.available} available, ${confirmedSeats} confirmed`,
  );
  return seats;
}
