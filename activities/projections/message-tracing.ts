import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { errorText } from '../../platform/config/error-text.js';
import { EVENT_HEADERS } from '../outbox/event-envelope.js';

const headerText = (value: IHeaders[string]): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

const kafkaHeaders: TextMapGetter<IHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headerText(headers[key]),
};

/** The context the relay carried over from the activity that wrote the event (its `traceparent`). */
export const messageContext = (message: Pick<KafkaMessage, 'headers'>): Context =>
  propagation.extract(ROOT_CONTEXT, message.headers ?? {}, kafkaHeaders);

export interface ConsumedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  groupId: string;
}

/** Runs `handle` in a CONSUMER span that continues the event's trace, active while it runs. */
export async function inConsumerSpan<T>(
  tracer: Tracer,
  { topic, partition, message, groupId }: ConsumedMessage,
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = messageContext(message);
  const headers = message.headers ?? {};
  const span = tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': Number(message.offset),
        'messaging.kafka.message.key': message.key?.toString() ?? '',
        'messaging.message.id': headerText(headers[EVENT_HEADERS.eventId]) ?? '',
        'saga.event_type': headerText(headers[EVENT_HEADERS.eventType]) ?? '',
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => handle(span));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
    throw error;
  } finally {
    span.end();
  }
}
