import type { LoyaltyRecord } from '../../../activities/projections/projection.queries.js';
import { tallyEventMessages } from '../topic-tally.js';
import { check } from './checks.js';
import type { OutageRun } from './outage-run.js';
import type { Expected, ReadModels } from './recovery.js';
import type { TopicMark } from './setup.js';

/** e. Exactly once: every event published, processed once per group, counted once in the views. */

export async function auditOutage(
  run: OutageRun,
  eventIds: string[],
  readModels: ReadModels,
  expected: Expected,
): Promise<{ processedRows: Record<string, number>; points: number }> {
  const unpublished = await run.options.prisma.outboxEvent.count({
    where: { id: { in: eventIds }, logSequence: null },
  });
  check(unpublished === 0, `${unpublished} of the orders' events have no event-log sequence`);
  const processedRows = await checkProcessedOnce(run, eventIds);
  const wrongCounts = readModels.views.filter(
    (view) => view.eventCount !== expected.eventsPerOrder.get(view.id),
  );
  check(
    wrongCounts.length === 0,
    `views with an event count other than their order's events: ${wrongCounts
      .map((view) => `${view.id} ${view.eventCount}/${expected.eventsPerOrder.get(view.id)}`)
      .join(', ')}`,
  );
  const { points, awarded } = await checkLoyalty(run, expected.points);
  run.narrate(
    `[e] exactly once: ${eventIds.length} events, each with an event-log sequence; processed_events ` +
      Object.entries(processedRows)
        .map(([group, n]) => `${group} ${n}/${eventIds.length}`)
        .join(', ') +
      ` (one row per event and group); every view's eventCount equals its order's events; ` +
      `${points} points == ${expected.points} expected from ${awarded} awards`,
  );
  return { processedRows, points };
}

/** Each consumer group processed each event once: rows per group. */
async function checkProcessedOnce(run: OutageRun, eventIds: string[]) {
  const { prisma, consumerGroups } = run.options;
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
  return processedRows;
}

/** The customer's points: one award per order, no more. */
async function checkLoyalty(run: OutageRun, expectedPoints: number) {
  const { customerId, orderIds } = run;
  const loyalty = await run.getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`);
  const awarded = loyalty.body.awards.filter((award) => award.status === 'AWARDED').length;
  check(
    loyalty.body.points === expectedPoints && awarded === orderIds.length,
    `loyalty for ${customerId}: ${loyalty.body.points} points from ${awarded} awards; ` +
      `expected ${expectedPoints} from ${orderIds.length} (a repeated OrderConfirmed would add them twice)`,
  );
  return { points: loyalty.body.points, awarded };
}

/** The run's messages on the order topic: every event there, some maybe twice. */
export async function countOnTopic(
  run: OutageRun,
  mark: TopicMark,
  eventIds: string[],
): Promise<number> {
  const tally = await tallyEventMessages(mark.kafka, mark.topic, mark.start, new Set(eventIds));
  const onTopic = eventIds.filter((id) => tally.has(id)).length;
  const kafkaMessages = [...tally.values()].reduce((sum, n) => sum + n, 0);
  check(
    onTopic === eventIds.length,
    `${eventIds.length - onTopic} of the events are not on ${mark.topic}`,
  );
  run.narrate(
    `[e] ${mark.topic} holds ${kafkaMessages} messages for these ${eventIds.length} events ` +
      `(${kafkaMessages - onTopic} extra from retried publishes; the consumers applied each event once)`,
  );
  return kafkaMessages;
}
