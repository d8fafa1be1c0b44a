import { seconds } from '../../support/polling.js';
import { auditOutage, countOnTopic } from './audit.js';
import {
  checkConsumersSawNothing,
  placeOrders,
  unpublishedEvents,
  untilRelayNotices,
} from './outage.js';
import { startOutageRun, type OutageRun } from './outage-run.js';
import { timeRecovery } from './recovery.js';
import type { KafkaOutageOptions, KafkaOutageResult } from './scenario.types.js';
import { markOrderTopic, stockedProducts, untilRelayIdle } from './setup.js';

export { ScenarioCheckFailed } from './checks.js';
export type { KafkaOutageOptions, KafkaOutageResult } from './scenario.types.js';

/**
 * Kafka goes down while customers keep ordering: the sagas still confirm every order (they only
 * write to Postgres, the outbox included), the events wait in the outbox, and once Kafka is back
 * the relay publishes them and the consumers build their read models, each event applied exactly
 * once. Driven through the REST API; the database is read only for the final audit.
 */
export async function runKafkaOutageScenario(
  options: KafkaOutageOptions,
): Promise<KafkaOutageResult> {
  const run = startOutageRun(options);
  const { kafka, signal } = options;
  await untilRelayIdle(run);
  const topicMark = await markOrderTopic(run);
  const stocked = await stockedProducts(run);

  let kafkaDown = false;
  try {
    signal?.throwIfAborted();
    const stopBegan = performance.now();
    kafkaDown = true; // even a stop that fails half-way is undone below
    await kafka.stop();
    const kafkaStopMs = performance.now() - stopBegan;
    run.narrate(`[b] Kafka stopped (${seconds(kafkaStopMs)})`);
    const { placeOrdersMs, expectedPoints } = await placeOrders(run, stocked);

    const { eventIds, eventsPerOrder } = await unpublishedEvents(run);
    const outage = await untilRelayNotices(run, eventIds.length);
    await checkConsumersSawNothing(run);

    const { back, kafkaStartMs } = await startKafka(run);
    kafkaDown = false;
    const expected = { eventsPerOrder, points: expectedPoints };
    const recovery = await timeRecovery(run, back, expected);

    const audit = await auditOutage(run, eventIds, recovery.readModels, expected);
    const kafkaMessages = topicMark ? await countOnTopic(run, topicMark, eventIds) : null;
    return {
      runId: run.runId,
      customerId: run.customerId,
      orderIds: run.orderIds,
      events: eventIds.length,
      expectedPoints,
      outage: { kafkaStopMs, placeOrdersMs, ...outage },
      recovery: {
        kafkaStartMs,
        drainedMs: recovery.drainedMs,
        relayRecoveredMs: recovery.relayRecoveredMs,
        readModelsMs: recovery.readModelsMs,
      },
      audit: { ...audit, kafkaMessages },
    };
  } finally {
    // A failed check mid-outage must not leave Kafka down for whoever comes next.
    if (kafkaDown) await kafka.start().catch(() => {});
  }
}

/** d. Kafka started again; resolves when it answered (performance.now()) and how long it took. */
async function startKafka(run: OutageRun) {
  run.options.signal?.throwIfAborted();
  run.narrate('[d] starting Kafka');
  const startBegan = performance.now();
  await run.options.kafka.start();
  const back = performance.now();
  const kafkaStartMs = back - startBegan;
  run.narrate(`[d] Kafka answers again after ${seconds(kafkaStartMs)}`);
  return { back, kafkaStartMs };
}
