import type { LoyaltyRecord } from '../../../activities/projections/projection.queries.js';
import { pointsFor } from '../../../activities/projections/loyalty.projection.js';
import { done, notYet, seconds } from '../../support/polling.js';
import { check } from './checks.js';
import { describeOutbox, relayStatus, type OutageRun } from './outage-run.js';
import type { StockedProduct } from './setup.js';

/** b. Orders placed while Kafka is down; c. what the outbox, the relay and the consumers show. */

export interface PlacedOrder {
  id: string;
  sku: string;
  quantity: number;
  totalCents: number;
  points: number;
}

/** Places every order of the run; each must answer 200 CONFIRMED with its total. */
export async function placeOrders(
  run: OutageRun,
  stocked: StockedProduct[],
): Promise<{ placed: PlacedOrder[]; placeOrdersMs: number; expectedPoints: number }> {
  const placeBegan = performance.now();
  const placed = await Promise.all(
    run.orderIds.map((id, n) => placeOrder(run, id, stocked[n % stocked.length]!, 1 + (n % 3))),
  );
  const placeOrdersMs = performance.now() - placeBegan;
  const expectedPoints = placed.reduce((sum, order) => sum + order.points, 0);
  const mix = stocked
    .map((p) => {
      const units = placed.filter((o) => o.sku === p.sku).reduce((s, o) => s + o.quantity, 0);
      return `${p.sku} ×${units}`;
    })
    .join(' + ');
  run.narrate(
    `[b] ${placed.length} orders for ${run.customerId} placed with Kafka down, in ${seconds(placeOrdersMs)}: ` +
      `${placed.length}/${run.orderIds.length} answered 200 CONFIRMED (${mix}; ${placed.reduce((s, o) => s + o.totalCents, 0)} cents, ` +
      `${expectedPoints} loyalty points to come)`,
  );
  return { placed, placeOrdersMs, expectedPoints };
}

async function placeOrder(
  run: OutageRun,
  id: string,
  product: StockedProduct,
  quantity: number,
): Promise<PlacedOrder> {
  const response = await run.api('/orders?wait=true', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': id },
    body: JSON.stringify({
      customerId: run.customerId,
      items: [{ sku: product.sku, quantity }],
      paymentToken: 'tok_visa',
    }),
  });
  const text = await response.text();
  check(
    response.status >= 200 && response.status < 300,
    `POST /orders (${id}) answered ${response.status}: ${text}`,
  );
  const order = JSON.parse(text) as { status: string; totalCents?: number };
  check(
    order.status === 'CONFIRMED',
    `order ${id} ended ${order.status}, not CONFIRMED, while Kafka was down: ${text}`,
  );
  const totalCents = order.totalCents ?? -1;
  check(
    totalCents === product.priceCents * quantity,
    `order ${id}: total ${totalCents} cents, expected ${quantity} × ${product.priceCents}`,
  );
  return { id, sku: product.sku, quantity, totalCents, points: pointsFor(totalCents) };
}

/** The orders' outbox events: committed with them, none published. */
export async function unpublishedEvents(run: OutageRun) {
  const outboxRows = await run.options.prisma.outboxEvent.findMany({
    where: { aggregateType: 'order', aggregateId: { in: run.orderIds } },
    select: { id: true, aggregateId: true, publishedAt: true },
  });
  const eventsPerOrder = new Map(run.orderIds.map((id) => [id, 0]));
  for (const row of outboxRows)
    eventsPerOrder.set(row.aggregateId, (eventsPerOrder.get(row.aggregateId) ?? 0) + 1);
  const published = outboxRows.filter((row) => row.publishedAt !== null).length;
  check(published === 0, `${published} of the orders' events were published while Kafka was down`);
  const counts = [...new Set(eventsPerOrder.values())].sort();
  run.narrate(
    `[c] outbox: ${outboxRows.length} events of these orders committed with them ` +
      `(${counts.join(' or ')} per order), 0 published`,
  );
  return { eventIds: outboxRows.map((row) => row.id), eventsPerOrder };
}

/** Waits until the relay backs off with a last error, the events in its backlog. */
export async function untilRelayNotices(run: OutageRun, events: number) {
  const outage = await run.until(
    'the relay to notice (state backing-off with a last error)',
    async () => {
      const outbox = await run.outboxStatus();
      const status = relayStatus(outbox);
      return outbox.backlog.unpublished >= events &&
        status?.state === 'backing-off' &&
        status.lastError
        ? done({ outbox, status: { ...status, lastError: status.lastError } })
        : notYet(describeOutbox(outbox));
    },
  );
  const oldestAgeMs = outage.outbox.backlog.oldestUnpublishedAgeMs ?? 0;
  run.narrate(
    `[c] GET /admin/outbox: ${outage.outbox.backlog.unpublished} unpublished, oldest ${seconds(oldestAgeMs)} old; ` +
      `relay activity ${outage.outbox.relay.activity?.state}, state ${outage.status.state} ` +
      `(attempt ${outage.status.attempt}, failing since ${outage.status.failingSince ?? '?'}, ` +
      `next attempt ${outage.status.nextAttemptAt ?? '?'})`,
  );
  run.narrate(`[c] relay's last error: ${outage.status.lastError}`);
  return {
    unpublished: outage.outbox.backlog.unpublished,
    oldestUnpublishedAgeMs: oldestAgeMs,
    relayState: outage.status.state,
    relayAttempt: outage.status.attempt,
    relayLastError: outage.status.lastError,
  };
}

/** The consumers saw nothing: no order view, no points. */
export async function checkConsumersSawNothing(run: OutageRun) {
  const { customerId, orderIds } = run;
  const views = await Promise.all(
    orderIds.map(async (id) => (await run.getJson(`/views/orders/${id}`)).status),
  );
  const notFound = views.filter((status) => status === 404).length;
  check(
    notFound === orderIds.length,
    `GET /views/orders/:id answered ${views.join(', ')} during the outage; expected 404 for all`,
  );
  const loyaltyBefore = await run.getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`);
  check(
    loyaltyBefore.status === 200 && loyaltyBefore.body.points === 0,
    `GET /views/loyalty/${customerId} during the outage: ${loyaltyBefore.status} ${JSON.stringify(loyaltyBefore.body)}`,
  );
  run.narrate(
    `[c] the consumers saw nothing: GET /views/orders/:id → 404 for ${notFound}/${orderIds.length}; ` +
      `GET /views/loyalty/${customerId} → ${loyaltyBefore.body.points} points`,
  );
}
