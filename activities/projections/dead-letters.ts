import type { KafkaMessage, Producer } from 'kafkajs';

export const deadLetterTopic = (topicPrefix: string, groupId: string) =>
  `${topicPrefix}.${groupId}.dlq`;

/** Headers a dead letter carries besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  consumer: 'dlq-consumer',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
} as const;

/** A message as a consumer received it, and where from. */
export interface ConsumedAt {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface DeadLetter extends ConsumedAt {
  /** The consumer group that gave up on it. */
  groupId: string;
  /** Why: the last error's text. */
  reason: string;
  attempts: number;
}

/** Sends the message, key and value unchanged, to `dlqTopic` with headers saying why and where from. */
export async function sendDeadLetter(
  producer: Producer,
  dlqTopic: string,
  { topic, partition, message, groupId, reason, attempts }: DeadLetter,
): Promise<void> {
  await producer.send({
    topic: dlqTopic,
    acks: -1,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADERS.error]: reason,
          [DEAD_LETTER_HEADERS.attempts]: String(attempts),
          [DEAD_LETTER_HEADERS.consumer]: groupId,
          [DEAD_LETTER_HEADERS.topic]: topic,
          [DEAD_LETTER_HEADERS.partition]: String(partition),
          [DEAD_LETTER_HEADERS.offset]: message.offset,
        },
      },
    ],
  });
}
