import { pointsFor } from '../../../../activities/projections/loyalty.projection.js';
import { check, done, notYet } from '../probes.js';
import { count, type AuditContext } from './audit-context.js';

/** The run's outbox events. */
export interface RunEvent {
  id: string;
  aggregateType: string;
  aggregateId: string;
}

export interface ExactlyOnceAudit {
  outbox: RunEvent[];
  processedRows: Record<string, number>;
  duplicatesDropped: Record<string, number> | null;
  points: { expected: number; actual: number };
}

/** Every event was published; each consumer group applied each one once. */
export async function auditExactlyOnce(audit: AuditContext): Promise<ExactlyOnceAudit> {
  const { prisma, sagas, consumerGroups } = audit;
  const outbox = await prisma.outboxEvent.findMany({
    where: { aggregateId: { in: sagas.map((s) => s.id) } },
    select: { id: true, aggregateType: true, aggregateId: true },
  });
  const ids = outbox.map((event) => event.id);
  const groups = [consumerGroups.loyalty, consumerGroups.orderView];
  const processedRows = await untilProcessed(audit, ids, groups);
  await checkViewCounts(audit, outbox);
  const points = await checkPoints(audit);
  const duplicatesDropped = audit.duplicatesDropped?.() ?? null;
  audit.narrate(
    `[audit] exactly once: ${ids.length} events, all published; processed_events ` +
      groups.map((group) => `${group} ${processedRows[group]}/${ids.length}`).join(', ') +
      `; each order/booking view counts exactly its events; ${points.actual} == ${points.expected} loyalty points` +
      (duplicatesDropped
        ? `; duplicates dropped by the consumers: ${Object.values(duplicatesDropped).join(' + ')}`
        : ''),
  );
  return { outbox, processedRows, duplicatesDropped, points };
}

/** Waits until every event is published and processed by each group; resolves the rows per group. */
const untilProcessed = ({ prisma, until }: AuditContext, ids: string[], groups: string[]) =>
  until('every event to be published and processed by both groups', async () => {
    const [unpublished, ...processed] = await Promise.all([
      prisma.outboxEvent.count({ where: { id: { in: ids }, logSequence: null } }),
      ...groups.map((group) =>
        prisma.processedEvent.count({ where: { consumer: group, eventId: { in: ids } } }),
      ),
    ]);
    return unpublished === 0 && processed.every((n) => n === ids.length)
      ? done(Object.fromEntries(groups.map((group, n) => [group, processed[n]!])))
      : notYet(`${unpublished} unpublished; processed ${processed.join(' and ')} of ${ids.length}`);
  });

/** Each saga's view counts exactly its events: none applied twice or never. */
async function checkViewCounts(
  { prisma, sagas, consumerGroups }: AuditContext,
  outbox: RunEvent[],
) {
  const perAggregate = count(outbox, (event) => event.aggregateId);
  const views = await prisma.orderView.findMany({
    where: { consumer: consumerGroups.orderView, aggregateId: { in: sagas.map((s) => s.id) } },
    select: { aggregateId: true, eventCount: true },
  });
  const miscounted = sagas.filter(
    (saga) =>
      views.find((view) => view.aggregateId === saga.id)?.eventCount !== perAggregate[saga.id],
  );
  check(
    miscounted.length === 0,
    `order views whose event count is not their events' (an event applied twice or never): ${miscounted
      .map(
        (saga) =>
          `${saga.id} ${views.find((v) => v.aggregateId === saga.id)?.eventCount}/${perAggregate[saga.id]}`,
      )
      .join(', ')}`,
  );
}

/** The run's customers hold the points of their confirmed sagas: a repeat would add them twice. */
async function checkPoints({ prisma, sagas, consumerGroups }: AuditContext) {
  const customers = [...new Set(sagas.map((saga) => saga.customerId))];
  const expected = sagas
    .filter((saga) => saga.expect === 'CONFIRMED')
    .reduce((sum, saga) => sum + pointsFor(saga.totalCents), 0);
  const accounts = await prisma.loyaltyAccount.findMany({
    where: { consumer: consumerGroups.loyalty, customerId: { in: customers } },
  });
  const actual = accounts.reduce((sum, account) => sum + account.points, 0);
  check(
    actual === expected,
    `loyalty: ${actual} points for the run's customers, expected ${expected} (a repeat would add points twice)`,
  );
  return { expected, actual };
}
