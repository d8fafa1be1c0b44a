import { context, propagation } from '@opentelemetry/api';

/**
 * The W3C `traceparent` of the active span, if any, so the relay can carry the trace on to Kafka.
 * Without an OpenTelemetry SDK registered there is no active span and this is undefined.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
