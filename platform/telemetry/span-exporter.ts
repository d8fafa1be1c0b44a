import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export type TracesExporter = 'none' | 'console' | 'otlp';

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL (as the spec defines it); traces go under /v1/traces. */
export const otlpTracesUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, '')}/v1/traces`;

export function spanExporterFor(
  exporter: Exclude<TracesExporter, 'none'>,
  otlpEndpoint: string,
): SpanExporter {
  return exporter === 'console'
    ? new ConsoleSpanExporter()
    : new OTLPTraceExporter({ url: otlpTracesUrl(otlpEndpoint) });
}

/** Console spans print as they end; OTLP spans go out in batches, off the request path. */
export const spanProcessorFor = (exporter: SpanExporter): SpanProcessor =>
  exporter instanceof ConsoleSpanExporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(exporter);
