import { topicFor } from '../../../../activities/outbox/event-envelope.js';
import { tallyEventMessages, tallyKafka } from '../../topic-tally.js';
import { check } from '../probes.js';
import type { AuditContext } from './audit-context.js';
import type { RunEvent } from './exactly-once.js';

/** Every event is on its topic (read back from Kafka); how many extra copies the retries left. */
export async function auditKafkaReadBack(
  audit: AuditContext,
  topics: { brokers: string[]; prefix: string },
  outbox: RunEvent[],
): Promise<{ messages: number; duplicates: number }> {
  const reader = tallyKafka(topics.brokers);
  let messages = 0;
  for (const type of ['order', 'booking']) {
    const wanted = new Set(outbox.filter((e) => e.aggregateType === type).map((e) => e.id));
    const topic = topicFor(topics.prefix, type);
    const tally = await tallyEventMessages(reader, topic, new Map(), wanted);
    const missing = [...wanted].filter((id) => !tally.has(id));
    check(missing.length === 0, `${missing.length} of the ${type} events are not on ${topic}`);
    messages += [...tally.values()].reduce((sum, n) => sum + n, 0);
  }
  const kafka = { messages, duplicates: messages - outbox.length };
  audit.narrate(
    `[audit] Kafka holds ${messages} messages for these ${outbox.length} events: every one arrived ` +
      `(${kafka.duplicates} extra copies from publishes retried after a kill; the consumers applied each event once)`,
  );
  return kafka;
}
