import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../platform/config/load-config.js';
import { tracingSettings } from '../../platform/config/settings.js';
import {
  otlpTracesUrl,
  spanExporterFor,
  spanProcessorFor,
} from '../../platform/telemetry/span-exporter.js';
import { startTracing, type Tracing } from '../../platform/telemetry/tracing.js';

let started: Tracing | undefined;

afterEach(async () => {
  await started?.shutdown();
  started = undefined;
  vi.restoreAllMocks();
});

describe('tracing settings', () => {
  const schema = z.object(tracingSettings);

  it('default to no tracing and the local OTLP/HTTP port', () => {
    expect(loadConfig(schema, {})).toEqual({
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
  });

  it('reject an unknown exporter and an endpoint that is not a URL', () => {
    expect(() =>
      loadConfig(schema, {
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector',
      }),
    ).toThrow(/OTEL_TRACES_EXPORTER[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('exporter selection', () => {
  it('console prints each span as it ends', async () => {
    const exporter = spanExporterFor('console', 'http://127.0.0.1:4318');
    expect(exporter).toBeInstanceOf(ConsoleSpanExporter);
    expect(spanProcessorFor(exporter)).toBeInstanceOf(SimpleSpanProcessor);
  });

  it('otlp sends batches to <endpoint>/v1/traces', async () => {
    const exporter = spanExporterFor('otlp', 'http://collector:4318/');
    expect(exporter).toBeInstanceOf(OTLPTraceExporter);
    expect(spanProcessorFor(exporter)).toBeInstanceOf(BatchSpanProcessor);
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example/base')).toBe('https://otel.example/base/v1/traces');
    await exporter.shutdown();
  });
});

describe('startTracing', () => {
  it('with none registers nothing: spans are not recorded', () => {
    started = startTracing({ serviceName: 'svc', exporter: 'none', otlpEndpoint: 'http://x:4318' });
    expect(started).toBeUndefined();
    const span = trace.getTracer('test').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it('with console registers a provider whose spans reach the console, named after the service', async () => {
    const printed = vi.spyOn(console, 'dir').mockImplementation(() => {});
    started = startTracing({
      serviceName: 'svc',
      exporter: 'console',
      otlpEndpoint: 'http://x:4318',
    });
    expect(started).toBeDefined();
    trace.getTracer('test').startSpan('something').end();
    expect(printed).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'something',
        resource: { attributes: expect.objectContaining({ 'service.name': 'svc' }) },
      }),
      expect.anything(),
    );
    await started!.shutdown();
    started = undefined;
    expect(trace.getTracer('test').startSpan('after').isRecording()).toBe(false);
  });
});
