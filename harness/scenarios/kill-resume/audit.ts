import type { Client } from '@temporalio/client';
import { topicFor } from '../../../activities/outbox/event-envelope.js';
import { checkConsistency, type ConsistencyReport } from '../../../activities/ops/consistency.check.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { pointsFor } from '../../../activities/projections/loyalty.projection.js';
import type { ConsumerGroups } from '../../../activities/projections/saga-event-consumers.js';
import type { ProbedGateway } from './gateway.js';
import { EVENT_SEATS, type Batch, type Products } from './mix.js';
import {
  check,
  done,
  notYet,
  progressOf,
  seconds,
  waitFor,
  type Poll,
} from './probes.js';
import { tallyEventMessages, tallyKafka } from '../topic-tally.js';

export interface KillResumeAudit {
  sagas: number;
  /** `order CONFIRMED` → how many, and so on. */
  finalStates: Record<string, number>;
  charges: {
    captured: number;
    refunded: number;
    declined: number;
    /** Charge requests that reached the gateway (retries included); keys asked more than once. */
    requests: number;
    retriedKeys: number;
  };
  consistency: ConsistencyReport['checked'];
  stock: { sku: string; initial: number; onHand: number; committed: number }[];
  seats: { events: number; total: number; available: number; confirmed: number };
  events: number;
  processedRows: Record<string, number>;
  duplicatesDropped: Record<string, number> | null;
  points: { expected: number; actual: number };
  /** Messages of the run's events on Kafka, and how many of them were extra copies. */
  kafka: { messages: number; duplicates: number } | null;
}

export interface AuditInput {
  client: Client;
  prisma: PrismaClient;
  gateway: Pick<ProbedGateway, 'requests' | 'ledger'>;
  runId: string;
  batches: Batch[];
  products: Products;
  consumerGroups: ConsumerGroups;
  topics?: { brokers: string[]; prefix: string };
  duplicatesDropped?: () => Record<string, number>;
  narrate: (line: string) => void;
  timeoutMs: number;
  signal?: AbortSignal;
}

const count = <T>(items: T[], keyOf: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => {
    counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
    return counts;
  }, {});

/** The checks after the kills: each throws KillResumeCheckFailed with what it found. */
export async function auditKillResume(input: AuditInput): Promise<KillResumeAudit> {
  const { client, prisma, gateway, runId, products, narrate, timeoutMs, signal } = input;
  const sagas = input.batches.flatMap((batch) => batch.sagas);
  const until = <T>(what: string, probe: () => Promise<Poll<T>>) =>
    waitFor(what, probe, { timeoutMs, pollMs: 250, signal });

  // 1. Every saga reached its final state: its workflow closed the expected way, its row says so.
  const began = Date.now();
  narrate('[audit] waiting for every saga to end (confirmed bookings end when their event starts)');
  const closed = new Map<string, string>();
  await until('every saga workflow to close', async () => {
    for (const saga of sagas) {
      if (closed.has(saga.id)) continue;
      const { status } = await progressOf(client, saga.workflowId);
      if (status !== 'RUNNING') closed.set(saga.id, status);
    }
    const open = sagas.filter((saga) => !closed.has(saga.id));
    return open.length === 0
      ? done(undefined)
      : notYet(`${open.length} running: ${open.map((s) => s.id).join(', ')}`);
  });
  const rows = new Map<string, { status: string; chargeId: string | null }>();
  for (const row of await prisma.order.findMany({
    where: { id: { in: sagas.map((s) => s.id) } },
    select: { id: true, status: true, chargeId: true },
  }))
    rows.set(row.id, row);
  for (const row of await prisma.booking.findMany({
    where: { id: { in: sagas.map((s) => s.id) } },
    select: { id: true, status: true, chargeId: true },
  }))
    rows.set(row.id, row);
  for (const saga of sagas) {
    const workflow = closed.get(saga.id);
    const expectedWorkflow = saga.expect === 'FAILED' ? 'FAILED' : 'COMPLETED';
    check(
      workflow === expectedWorkflow && rows.get(saga.id)?.status === saga.expect,
      `${saga.id} (${saga.story}): workflow ${workflow}, row ${rows.get(saga.id)?.status ?? 'missing'}; ` +
        `expected ${expectedWorkflow} and ${saga.expect}`,
    );
  }
  const finalStates = count(sagas, (saga) => `${saga.kind} ${saga.expect}`);
  narrate(
    `[audit] all ${sagas.length} sagas ended as expected (${seconds(Date.now() - began)} wait): ` +
      Object.entries(finalStates)
        .map(([state, n]) => `${n} ${state}`)
        .join(', '),
  );

  // 2. No charge captured twice: per saga, the gateway holds one charge key, captured at most once.
  const ledgers = await Promise.all([
    gateway.ledger(`order:kr-${runId}-`),
    gateway.ledger(`booking:kr-${runId}-`),
  ]);
  const charges = ledgers.flatMap((ledger) => ledger.charges);
  const refunds = ledgers.flatMap((ledger) => ledger.refunds);
  let requests = 0;
  let retriedKeys = 0;
  for (const saga of sagas) {
    const own = charges.filter((charge) => charge.idempotencyKey.startsWith(`${saga.workflowId}:`));
    const strangers = own.filter((charge) => charge.idempotencyKey !== saga.chargeKey);
    check(
      strangers.length === 0,
      `${saga.id}: charges under other keys: ${strangers.map((c) => c.idempotencyKey).join(', ')}`,
    );
    const captured = own.filter((charge) => charge.status === 'captured');
    const refunded = refunds.filter(
      (refund) => refund.chargeIdempotencyKey === saga.chargeKey && refund.status === 'refunded',
    );
    check(
      captured.length === (saga.captured ? 1 : 0) &&
        refunded.length === (saga.refunded ? 1 : 0) &&
        captured.every((charge) => charge.amountCents === saga.totalCents),
      `${saga.id} (${saga.story}): ${captured.length} captured charge(s) ` +
        `(${captured.map((c) => c.amountCents).join(', ')} cents), ${refunded.length} refund(s); expected ` +
        `${saga.captured ? 1 : 0} of ${saga.totalCents} cents and ${saga.refunded ? 1 : 0}`,
    );
    if (saga.expect === 'CONFIRMED')
      check(
        rows.get(saga.id)?.chargeId === captured[0]?.chargeId,
        `${saga.id}: row says charge ${rows.get(saga.id)?.chargeId}, the gateway captured ${captured[0]?.chargeId}`,
      );
    const asked = gateway.requests(saga.chargeKey);
    requests += asked;
    if (asked > 1) retriedKeys += 1;
  }
  const chargeAudit = {
    captured: charges.filter((c) => c.status === 'captured').length,
    refunded: refunds.filter((r) => r.status === 'refunded').length,
    declined: charges.filter((c) => c.status === 'declined').length,
    requests,
    retriedKeys,
  };
  narrate(
    `[audit] gateway ledger: ${chargeAudit.captured} charges captured, each once, under its saga's one key ` +
      `(${requests} charge requests, ${retriedKeys} key(s) asked more than once); ${chargeAudit.refunded} refunded, ` +
      `${chargeAudit.declined} declined; every confirmed row names its captured charge`,
  );

  // 3. Stock and seats add up.
  const consistency = await checkConsistency(prisma, gateway.ledger);
  check(
    consistency.ok,
    `the consistency check found ${consistency.offenders.length} offender(s): ${JSON.stringify(consistency.offenders.slice(0, 5))}`,
  );
  const stock = [];
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
  narrate(
    `[audit] conserved: ${stock.map((s) => `${s.sku} ${s.onHand} on hand + ${s.committed} sold = ${s.initial}`).join('; ')}; ` +
      `seats ${seats.total - seats.available} taken = ${confirmedSeats} confirmed of ${seats.total} in ${seats.events} events; ` +
      `consistency check ok (${consistency.checked.events} events, ${consistency.checked.bookings} bookings, ` +
      `${consistency.checked.charges} booking charges)`,
  );

  // 4. Every event reached Kafka; each consumer group applied each one once.
  const outbox = await prisma.outboxEvent.findMany({
    where: { aggregateId: { in: sagas.map((s) => s.id) } },
    select: { id: true, aggregateType: true, aggregateId: true },
  });
  const ids = outbox.map((event) => event.id);
  const groups = [input.consumerGroups.loyalty, input.consumerGroups.orderView];
  const processedRows = await until(
    'every event to be published and processed by both groups',
    async () => {
      const [unpublished, ...processed] = await Promise.all([
        prisma.outboxEvent.count({ where: { id: { in: ids }, logSequence: null } }),
        ...groups.map((group) =>
          prisma.processedEvent.count({ where: { consumer: group, eventId: { in: ids } } }),
        ),
      ]);
      return unpublished === 0 && processed.every((n) => n === ids.length)
        ? done(Object.fromEntries(groups.map((group, n) => [group, processed[n]!])))
        : notYet(
            `${unpublished} unpublished; processed ${processed.join(' and ')} of ${ids.length}`,
          );
    },
  );
  const perAggregate = count(outbox, (event) => event.aggregateId);
  const views = await prisma.orderView.findMany({
    where: {
      consumer: input.consumerGroups.orderView,
      aggregateId: { in: sagas.map((s) => s.id) },
    },
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
  const customers = [...new Set(sagas.map((saga) => saga.customerId))];
  const expectedPoints = sagas
    .filter((saga) => saga.expect === 'CONFIRMED')
    .reduce((sum, saga) => sum + pointsFor(saga.totalCents), 0);
  const accounts = await prisma.loyaltyAccount.findMany({
    where: { consumer: input.consumerGroups.loyalty, customerId: { in: customers } },
  });
  const points = accounts.reduce((sum, account) => sum + account.points, 0);
  check(
    points === expectedPoints,
    `loyalty: ${points} points for the run's customers, expected ${expectedPoints} (a repeat would add points twice)`,
  );
  const duplicatesDropped = input.duplicatesDropped?.() ?? null;
  narrate(
    `[audit] exactly once: ${ids.length} events, all published; processed_events ` +
      groups.map((group) => `${group} ${processedRows[group]}/${ids.length}`).join(', ') +
      `; each order/booking view counts exactly its events; ${points} == ${expectedPoints} loyalty points` +
      (duplicatesDropped
        ? `; duplicates dropped by the consumers: ${Object.values(duplicatesDropped).join(' + ')}`
        : ''),
  );

  let kafka: KillResumeAudit['kafka'] = null;
  if (input.topics) {
    const reader = tallyKafka(input.topics.brokers);
    let messages = 0;
    for (const type of ['order', 'booking']) {
      const wanted = new Set(outbox.filter((e) => e.aggregateType === type).map((e) => e.id));
      const topic = topicFor(input.topics.prefix, type);
      const tally = await tallyEventMessages(reader, topic, new Map(), wanted);
      const missing = [...wanted].filter((id) => !tally.has(id));
      check(missing.length === 0, `${missing.length} of the ${type} events are not on ${topic}`);
      messages += [...tally.values()].reduce((sum, n) => sum + n, 0);
    }
    kafka = { messages, duplicates: messages - ids.length };
    narrate(
      `[audit] Kafka holds ${messages} messages for these ${ids.length} events: every one arrived ` +
        `(${kafka.duplicates} extra copies from publishes retried after a kill; the consumers applied each event once)`,
    );
  }

  return {
    sagas: sagas.length,
    finalStates,
    charges: chargeAudit,
    consistency: consistency.checked,
    stock,
    seats,
    events: ids.length,
    processedRows,
    duplicatesDropped,
    points: { expected: expectedPoints, actual: points },
    kafka,
  };
}
