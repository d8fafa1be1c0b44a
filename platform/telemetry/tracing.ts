import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { spanExporterFor, spanProcessorFor, type TracesExporter } from './span-exporter.js';

/** A registered tracer provider: what the instrumentation of one process needs from it. */
export interface Tracing {
  tracer(scope: string): Tracer;
  /** The Temporal workflow sandbox records its spans apart; they are handed to this processor. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is still buffered, then unregisters the provider. */
  shutdown(): Promise<void>;
}

/**
 * Registers a Node tracer provider as the process's global one: W3C trace-context propagation and
 * an AsyncLocalStorage context manager (NodeTracerProvider's default), so the active span follows
 * async work such as a request's handler or an activity's transaction.
 */
export function registerTracing({
  serviceName,
  spanProcessor,
}: {
  serviceName: string;
  spanProcessor: SpanProcessor;
}): Tracing {
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    tracer: (scope) => provider.getTracer(scope),
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export interface TracingSettings {
  serviceName: string;
  exporter: TracesExporter;
  otlpEndpoint: string;
}

/** Tracing as configured; undefined when the exporter is `none`, and then nothing is registered. */
export function startTracing({
  serviceName,
  exporter,
  otlpEndpoint,
}: TracingSettings): Tracing | undefined {
  if (exporter === 'none') return undefined;
  const spanProcessor = spanProcessorFor(spanExporterFor(exporter, otlpEndpoint));
  return registerTracing({ serviceName, spanProcessor });
}

/** The `tracingSettings` part of a process's config (config/settings.ts). */
export interface TracingConfig {
  OTEL_TRACES_EXPORTER: TracesExporter;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
  OTEL_SERVICE_NAME?: string;
}

/** `startTracing` from a process's validated config; `serviceName` unless OTEL_SERVICE_NAME overrides it. */
export const startTracingFromConfig = (config: TracingConfig, serviceName: string) =>
  startTracing({
    serviceName: config.OTEL_SERVICE_NAME ?? serviceName,
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
