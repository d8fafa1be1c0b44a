import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { registerTracing } from '../../platform/telemetry/tracing.js';
import { inConsumerSpan, messageContext } from '../../activities/projections/message-tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

const spans = new InMemorySpanExporter();
const tracing = registerTracing({
  serviceName: 'test',
  spanProcessor: new SimpleSpanProcessor(spans),
});
const tracer = tracing.tracer('test');

beforeEach(() => spans.reset());
afterAll(() => tracing.shutdown());

const message = (headers: IHeaders): KafkaMessage => ({
  key: Buffer.from('order-1'),
  value: Buffer.from('{}'),
  timestamp: '0',
  attributes: 0,
  offset: '42',
  headers,
});

describe('consumer trace context', () => {
  it('reads the traceparent header, as kafkajs hands it over (a Buffer)', () => {
    const context = messageContext(message({ traceparent: Buffer.from(TRACEPARENT) }));
    expect(trace.getSpanContext(context)).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID });
  });

  it('finds nothing in a message without one', () => {
    expect(trace.getSpanContext(messageContext(message({})))).toBeUndefined();
  });

  it('runs the handler in a CONSUMER span that continues the event trace', async () => {
    const headers = { traceparent: TRACEPARENT, 'event-id': 'evt-1', 'event-type': 'OrderPlaced' };
    const active = await inConsumerSpan(
      tracer,
      { topic: 'sagas.order', partition: 3, message: message(headers), groupId: 'loyalty' },
      async () => trace.getActiveSpan()?.spanContext().spanId,
    );
    const [span] = spans.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'process sagas.order',
      kind: SpanKind.CONSUMER,
      parentSpanId: PARENT_ID,
      attributes: expect.objectContaining({
        'messaging.consumer.group.name': 'loyalty',
        'messaging.message.id': 'evt-1',
        'messaging.kafka.message.key': 'order-1',
      }),
    });
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(active).toBe(span!.spanContext().spanId);
  });

  it('marks the span failed when the handler throws, and rethrows', async () => {
    await expect(
      inConsumerSpan(
        tracer,
        { topic: 't', partition: 0, message: message({}), groupId: 'g' },
        async () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    const [span] = spans.getFinishedSpans();
    expect(span!.status).toMatchObject({ code: 2, message: 'Error: boom' });
    expect(span!.parentSpanId).toBeUndefined();
  });
});
