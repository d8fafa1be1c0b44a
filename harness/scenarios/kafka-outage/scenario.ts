import { randomBytes } from 'node:crypto';
import { done, notYet, pollUntil, seconds, type Poll } from '../../support/polling.js';
import { topicFor } from '../../../activities/outbox/event-envelope.js';
import type { RelayStatus } from '../../../activities/outbox/relay.loop.js';
import type { OutboxStatus } from '../../../activities/outbox/event-log.queries.js';
import type { LoyaltyRecord, OrderViewRecord } from '../../../activities/projections/projection.queries.js';
import { DEMO_PRODUCTS } from '../../../prisma/demo-products.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { pointsFor } from '../../../activities/projections/loyalty.projection.js';
import { highWatermarks, tallyEventMessages, tallyKafka, type Watermarks } from '../topic-tally.js';

/**
 * Kafka goes down while customers keep ordering: the sagas still confirm every order (they only
 * write to Postgres, the outbox included), the events wait in the outbox, and once Kafka is back
 * the relay publishes them and the consumers build their read models, each event applied exactly
 * once. Driven through the REST API; the database is read only for the final audit.
 */

export interface KafkaOutageOptions {
  /** The API: `app.request` in a test, a fetch against a base URL in the demo. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** The broker the relay publishes to and the consumers read from. */
  kafka: { stop(): Promise<void>; start(): Promise<void> };
  prisma: PrismaClient;
  consumerGroups: { loyalty: string; orderView: string };
  narrate: (line: string) => void;
  /** Orders placed while Kafka is down (default 20). */
  orders?: number;
  /** When given, the messages of the run's events are counted on the order topic at the end. */
  topics?: { brokers: string[]; prefix: string };
  /** Limit of each wait: for the relay, the backlog, the read models (default 120 s). */
  waitTimeoutMs?: number;
  /** Ends the scenario early (its requests and waits), e.g. on Ctrl-C; a stopped Kafka is started again. */
  signal?: AbortSignal;
}

export interface KafkaOutageResult {
  runId: string;
  customerId: string;
  orderIds: string[];
  /** Outbox events of those orders. */
  events: number;
  expectedPoints: number;
  outage: {
    kafkaStopMs: number;
    placeOrdersMs: number;
    unpublished: number;
    oldestUnpublishedAgeMs: number;
    relayState: string;
    relayAttempt: number;
    relayLastError: string;
  };
  recovery: {
    /** Until `kafka.start()` resolved (the broker answers). */
    kafkaStartMs: number;
    /** From then until GET /admin/outbox showed no backlog. */
    drainedMs: number;
    /** From then until the relay's heartbeat showed it no longer failing. */
    relayRecoveredMs: number;
    /** From then until every view said CONFIRMED with all its events, and the points were in. */
    readModelsMs: number;
  };
  audit: {
    processedRows: Record<string, number>;
    points: number;
    /** Messages of the run's events on the order topic, when `topics` was given. */
    kafkaMessages: number | null;
  };
}

export class ScenarioCheckFailed extends Error {
  override readonly name = 'ScenarioCheckFailed';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ScenarioCheckFailed(message);
}

const POLL_MS = 250;

const waitFor = <T>(
  what: string,
  probe: () => Promise<Poll<T>>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> =>
  pollUntil(what, probe, {
    timeoutMs,
    pollMs: POLL_MS,
    signal,
    fail: (message) => new ScenarioCheckFailed(message),
  });

interface PlacedOrder {
  id: string;
  sku: string;
  quantity: number;
  totalCents: number;
  points: number;
}

export async function runKafkaOutageScenario(
  options: KafkaOutageOptions,
): Promise<KafkaOutageResult> {
  const { kafka, prisma, consumerGroups, narrate, signal } = options;
  const api = (path: string, init?: RequestInit) => options.api(path, { ...init, signal });
  const orderCount = options.orders ?? 20;
  const timeoutMs = options.waitTimeoutMs ?? 120_000;
  const until = <T>(what: string, probe: () => Promise<Poll<T>>) =>
    waitFor(what, probe, timeoutMs, signal);
  const runId = randomBytes(4).toString('hex');
  const customerId = `demo-customer-${runId}`;
  const orderIds = Array.from({ length: orderCount }, (_, n) => `outage-${runId}-${n + 1}`);

  const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await api(path);
    return { status: response.status, body: (await response.json()) as T };
  };
  const outboxStatus = async () => {
    const { status, body } = await getJson<OutboxStatus>('/admin/outbox');
    check(status === 200, `GET /admin/outbox answered ${status}: ${JSON.stringify(body)}`);
    return body;
  };
  const relayStatus = (outbox: OutboxStatus): RelayStatus | null =>
    outbox.relay.activity?.status ?? null;
  const describeOutbox = (outbox: OutboxStatus) => {
    const status = relayStatus(outbox);
    return (
      `backlog ${outbox.backlog.unpublished}, relay workflow ${outbox.relay.workflowStatus ?? 'absent'}, ` +
      `activity ${outbox.relay.activity?.state ?? 'none'}, state ${status?.state ?? 'not heartbeated yet'}` +
      (status?.lastError ? `, last error "${status.lastError}"` : '')
    );
  };

  // a. ─────────────────────────────────────────────────────────────────────────────────────────
  const idle = await until(
    'the relay to be healthy and idle (backlog 0, activity STARTED, state idle)',
    async () => {
      const outbox = await outboxStatus();
      const status = relayStatus(outbox);
      return outbox.backlog.unpublished === 0 &&
        outbox.relay.activity?.state === 'STARTED' &&
        status?.state === 'idle' &&
        !status.lastError
        ? done(outbox)
        : notYet(describeOutbox(outbox));
    },
  );
  narrate(
    `[a] relay healthy and idle: backlog ${idle.backlog.unpublished}, workflow ${idle.relay.workflowId} ` +
      `${idle.relay.workflowStatus}, activity ${idle.relay.activity?.state} (attempt ${idle.relay.activity?.attempt}), ` +
      `state ${relayStatus(idle)?.state ?? 'not heartbeated yet'}, last event-log sequence ${idle.backlog.lastSequence ?? 'none'}`,
  );
  const topicKafka = options.topics && tallyKafka(options.topics.brokers);
  const orderTopic = options.topics && topicFor(options.topics.prefix, 'order');
  let topicStart: Watermarks | undefined;
  if (topicKafka && orderTopic) topicStart = await highWatermarks(topicKafka, orderTopic);

  // The products: demo SKUs with stock for every order, whatever earlier runs took.
  const products =
    await getJson<{ sku: string; priceCents: number; stockOnHand: number }[]>('/products');
  check(products.status === 200, `GET /products answered ${products.status}`);
  const demoSkus = new Set(DEMO_PRODUCTS.map((product) => product.sku));
  const stocked = products.body
    .filter((p) => demoSkus.has(p.sku) && p.stockOnHand >= orderCount * 3)
    .sort((a, b) => b.stockOnHand - a.stockOnHand)
    .slice(0, 2);
  check(
    stocked.length > 0,
    `no demo product has stock for ${orderCount} orders of up to 3 units (GET /products: ` +
      `${products.body.map((p) => `${p.sku} ${p.stockOnHand}`).join(', ')}); add stock or use a fresh database`,
  );

  // b. ─────────────────────────────────────────────────────────────────────────────────────────
  let kafkaDown = false;
  try {
    signal?.throwIfAborted();
    const stopBegan = performance.now();
    kafkaDown = true; // even a stop that fails half-way is undone below
    await kafka.stop();
    const kafkaStopMs = performance.now() - stopBegan;
    narrate(`[b] Kafka stopped (${seconds(kafkaStopMs)})`);

    const placeBegan = performance.now();
    const placed = await Promise.all(
      orderIds.map(async (id, n): Promise<PlacedOrder> => {
        const product = stocked[n % stocked.length]!;
        const quantity = 1 + (n % 3);
        const response = await api('/orders?wait=true', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': id },
          body: JSON.stringify({
            customerId,
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
      }),
    );
    const placeOrdersMs = performance.now() - placeBegan;
    const expectedPoints = placed.reduce((sum, order) => sum + order.points, 0);
    const mix = stocked
      .map((p) => {
        const units = placed.filter((o) => o.sku === p.sku).reduce((s, o) => s + o.quantity, 0);
        return `${p.sku} ×${units}`;
      })
      .join(' + ');
    narrate(
      `[b] ${placed.length} orders for ${customerId} placed with Kafka down, in ${seconds(placeOrdersMs)}: ` +
        `${placed.length}/${orderCount} answered 200 CONFIRMED (${mix}; ${placed.reduce((s, o) => s + o.totalCents, 0)} cents, ` +
        `${expectedPoints} loyalty points to come)`,
    );

    // c. ───────────────────────────────────────────────────────────────────────────────────────
    const outboxRows = await prisma.outboxEvent.findMany({
      where: { aggregateType: 'order', aggregateId: { in: orderIds } },
      select: { id: true, aggregateId: true, publishedAt: true },
    });
    const eventsPerOrder = new Map(orderIds.map((id) => [id, 0]));
    for (const row of outboxRows)
      eventsPerOrder.set(row.aggregateId, (eventsPerOrder.get(row.aggregateId) ?? 0) + 1);
    const published = outboxRows.filter((row) => row.publishedAt !== null).length;
    check(
      published === 0,
      `${published} of the orders' events were published while Kafka was down`,
    );
    const counts = [...new Set(eventsPerOrder.values())].sort();
    narrate(
      `[c] outbox: ${outboxRows.length} events of these orders committed with them ` +
        `(${counts.join(' or ')} per order), 0 published`,
    );
    const outage = await until(
      'the relay to notice (state backing-off with a last error)',
      async () => {
        const outbox = await outboxStatus();
        const status = relayStatus(outbox);
        return outbox.backlog.unpublished >= outboxRows.length &&
          status?.state === 'backing-off' &&
          status.lastError
          ? done({ outbox, status: { ...status, lastError: status.lastError } })
          : notYet(describeOutbox(outbox));
      },
    );
    const oldestAgeMs = outage.outbox.backlog.oldestUnpublishedAgeMs ?? 0;
    narrate(
      `[c] GET /admin/outbox: ${outage.outbox.backlog.unpublished} unpublished, oldest ${seconds(oldestAgeMs)} old; ` +
        `relay activity ${outage.outbox.relay.activity?.state}, state ${outage.status.state} ` +
        `(attempt ${outage.status.attempt}, failing since ${outage.status.failingSince ?? '?'}, ` +
        `next attempt ${outage.status.nextAttemptAt ?? '?'})`,
    );
    narrate(`[c] relay's last error: ${outage.status.lastError}`);
    const views = await Promise.all(
      orderIds.map(async (id) => (await getJson(`/views/orders/${id}`)).status),
    );
    const notFound = views.filter((status) => status === 404).length;
    check(
      notFound === orderCount,
      `GET /views/orders/:id answered ${views.join(', ')} during the outage; expected 404 for all`,
    );
    const loyaltyBefore = await getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`);
    check(
      loyaltyBefore.status === 200 && loyaltyBefore.body.points === 0,
      `GET /views/loyalty/${customerId} during the outage: ${loyaltyBefore.status} ${JSON.stringify(loyaltyBefore.body)}`,
    );
    narrate(
      `[c] the consumers saw nothing: GET /views/orders/:id → 404 for ${notFound}/${orderCount}; ` +
        `GET /views/loyalty/${customerId} → ${loyaltyBefore.body.points} points`,
    );

    // d. ───────────────────────────────────────────────────────────────────────────────────────
    signal?.throwIfAborted();
    narrate('[d] starting Kafka');
    const startBegan = performance.now();
    await kafka.start();
    kafkaDown = false;
    const back = performance.now();
    const kafkaStartMs = back - startBegan;
    narrate(`[d] Kafka answers again after ${seconds(kafkaStartMs)}`);

    // Three clocks from the moment Kafka answers, narrated as each stops. The relay's own word
    // lags the backlog: its heartbeat reaches Temporal every few seconds.
    const sinceBack = () => performance.now() - back;
    const [drainedMs, relayRecoveredMs, { readModels, readModelsMs }] = await Promise.all([
      until('the outbox backlog to drain', async () => {
        const outbox = await outboxStatus();
        return outbox.backlog.unpublished === 0 ? done(outbox) : notYet(describeOutbox(outbox));
      }).then((drained) => {
        const ms = sinceBack();
        narrate(
          `[d] backlog 0 ${seconds(ms)} after Kafka answered (event-log sequence now ${drained.backlog.lastSequence})`,
        );
        return ms;
      }),
      until('the relay to report no failure again', async () => {
        const outbox = await outboxStatus();
        const status = relayStatus(outbox);
        return status && status.state !== 'backing-off' && !status.lastError
          ? done(status)
          : notYet(describeOutbox(outbox));
      }).then((recovered) => {
        const ms = sinceBack();
        narrate(
          `[d] relay heartbeat says ${recovered.state}, last error cleared, ${seconds(ms)} after Kafka answered ` +
            `(${recovered.publishedThisRun} events published by this relay activity so far)`,
        );
        return ms;
      }),
      until('the read models to catch up', async () => {
        const [found, loyalty] = await Promise.all([
          Promise.all(orderIds.map((id) => getJson<OrderViewRecord>(`/views/orders/${id}`))),
          getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`),
        ]);
        const complete = found.filter(
          ({ status, body }, n) =>
            status === 200 &&
            body.status === 'CONFIRMED' &&
            body.eventCount >= eventsPerOrder.get(orderIds[n]!)!,
        ).length;
        return complete === orderCount && loyalty.body.points >= expectedPoints
          ? done({ views: found.map((view) => view.body), loyalty: loyalty.body })
          : notYet(
              `${complete}/${orderCount} views CONFIRMED with all their events, ${loyalty.body.points}/${expectedPoints} points`,
            );
      }).then((caughtUp) => {
        const ms = sinceBack();
        narrate(
          `[d] read models caught up ${seconds(ms)} after Kafka answered: ` +
            `${orderCount}/${orderCount} views CONFIRMED with all their events, ${caughtUp.loyalty.points} points for ${customerId}`,
        );
        return { readModels: caughtUp, readModelsMs: ms };
      }),
    ]);

    // e. ───────────────────────────────────────────────────────────────────────────────────────
    const eventIds = outboxRows.map((row) => row.id);
    const unpublished = await prisma.outboxEvent.count({
      where: { id: { in: eventIds }, logSequence: null },
    });
    check(unpublished === 0, `${unpublished} of the orders' events have no event-log sequence`);
    const processedRows: Record<string, number> = {};
    for (const group of [consumerGroups.loyalty, consumerGroups.orderView]) {
      const rows = await prisma.processedEvent.findMany({
        where: { consumer: group, eventId: { in: eventIds } },
        select: { eventId: true },
      });
      const perEvent = new Map<string, number>();
      for (const row of rows) perEvent.set(row.eventId, (perEvent.get(row.eventId) ?? 0) + 1);
      const missing = eventIds.filter((id) => !perEvent.has(id));
      const repeated = [...perEvent].filter(([, n]) => n > 1);
      check(
        missing.length === 0 && repeated.length === 0,
        `consumer group ${group}: ${missing.length} event(s) never processed (${missing.slice(0, 3).join(', ')}), ` +
          `${repeated.length} processed more than once`,
      );
      processedRows[group] = rows.length;
    }
    const wrongCounts = readModels.views.filter(
      (view) => view.eventCount !== eventsPerOrder.get(view.id),
    );
    check(
      wrongCounts.length === 0,
      `views with an event count other than their order's events: ${wrongCounts
        .map((view) => `${view.id} ${view.eventCount}/${eventsPerOrder.get(view.id)}`)
        .join(', ')}`,
    );
    const loyalty = await getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`);
    const awarded = loyalty.body.awards.filter((award) => award.status === 'AWARDED').length;
    check(
      loyalty.body.points === expectedPoints && awarded === orderCount,
      `loyalty for ${customerId}: ${loyalty.body.points} points from ${awarded} awards; ` +
        `expected ${expectedPoints} from ${orderCount} (a repeated OrderConfirmed would add them twice)`,
    );
    narrate(
      `[e] exactly once: ${eventIds.length} events, each with an event-log sequence; processed_events ` +
        Object.entries(processedRows)
          .map(([group, n]) => `${group} ${n}/${eventIds.length}`)
          .join(', ') +
        ` (one row per event and group); every view's eventCount equals its order's events; ` +
        `${loyalty.body.points} points == ${expectedPoints} expected from ${awarded} awards`,
    );

    let kafkaMessages: number | null = null;
    if (topicKafka && orderTopic && topicStart) {
      const tally = await tallyEventMessages(topicKafka, orderTopic, topicStart, new Set(eventIds));
      const onTopic = eventIds.filter((id) => tally.has(id)).length;
      kafkaMessages = [...tally.values()].reduce((sum, n) => sum + n, 0);
      check(
        onTopic === eventIds.length,
        `${eventIds.length - onTopic} of the events are not on ${orderTopic}`,
      );
      narrate(
        `[e] ${orderTopic} holds ${kafkaMessages} messages for these ${eventIds.length} events ` +
          `(${kafkaMessages - onTopic} extra from retried publishes; the consumers applied each event once)`,
      );
    }

    return {
      runId,
      customerId,
      orderIds,
      events: eventIds.length,
      expectedPoints,
      outage: {
        kafkaStopMs,
        placeOrdersMs,
        unpublished: outage.outbox.backlog.unpublished,
        oldestUnpublishedAgeMs: oldestAgeMs,
        relayState: outage.status.state,
        relayAttempt: outage.status.attempt,
        relayLastError: outage.status.lastError,
      },
      recovery: { kafkaStartMs, drainedMs, relayRecoveredMs, readModelsMs },
      audit: { processedRows, points: loyalty.body.points, kafkaMessages },
    };
  } finally {
    // A failed check mid-outage must not leave Kafka down for whoever comes next.
    if (kafkaDown) await kafka.start().catch(() => {});
  }
}
