import type { Kafka } from 'kafkajs';
import { topicFor } from '../../../activities/outbox/event-envelope.js';
import { DEMO_PRODUCTS } from '../../../prisma/demo-products.js';
import { done, notYet } from '../../support/polling.js';
import { highWatermarks, tallyKafka, type Watermarks } from '../topic-tally.js';
import { check } from './checks.js';
import { describeOutbox, relayStatus, type OutageRun } from './outage-run.js';

/** a. Before the outage: a healthy, idle relay, the topic's end, products with stock. */

export interface StockedProduct {
  sku: string;
  priceCents: number;
  stockOnHand: number;
}

/** Where the run's messages start on the order topic, to count them at the end. */
export interface TopicMark {
  kafka: Kafka;
  topic: string;
  start: Watermarks;
}

export async function untilRelayIdle(run: OutageRun): Promise<void> {
  const idle = await run.until(
    'the relay to be healthy and idle (backlog 0, activity STARTED, state idle)',
    async () => {
      const outbox = await run.outboxStatus();
      const status = relayStatus(outbox);
      return outbox.backlog.unpublished === 0 &&
        outbox.relay.activity?.state === 'STARTED' &&
        status?.state === 'idle' &&
        !status.lastError
        ? done(outbox)
        : notYet(describeOutbox(outbox));
    },
  );
  run.narrate(
    `[a] relay healthy and idle: backlog ${idle.backlog.unpublished}, workflow ${idle.relay.workflowId} ` +
      `${idle.relay.workflowStatus}, activity ${idle.relay.activity?.state} (attempt ${idle.relay.activity?.attempt}), ` +
      `state ${relayStatus(idle)?.state ?? 'not heartbeated yet'}, last event-log sequence ${idle.backlog.lastSequence ?? 'none'}`,
  );
}

/** The order topic's end before the outage, when the options name the topics. */
export async function markOrderTopic(run: OutageRun): Promise<TopicMark | undefined> {
  const { topics } = run.options;
  if (!topics) return undefined;
  const kafka = tallyKafka(topics.brokers);
  const topic = topicFor(topics.prefix, 'order');
  return { kafka, topic, start: await highWatermarks(kafka, topic) };
}

/** The products: demo SKUs with stock for every order, whatever earlier runs took. */
export async function stockedProducts(run: OutageRun): Promise<StockedProduct[]> {
  const orderCount = run.orderIds.length;
  const products = await run.getJson<StockedProduct[]>('/products');
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
  return stocked;
}
