import { fileURLToPath } from 'node:url';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing.js';

/**
 * The workflow half of the tracing: bundle it with the workflows (bundleWorkflowCode's
 * `workflowInterceptorModules`) whenever the worker gets `tracingWorkerOptions`.
 */
export const WORKFLOW_TRACING_MODULE = fileURLToPath(
  new URL('../../workflows/tracing.interceptors.ts', import.meta.url),
);

/** Starting, signalling, updating a workflow: a span each, and its context in the workflow's headers. */
export const tracingClientInterceptors = (): ClientInterceptors => ({
  workflow: [new OpenTelemetryWorkflowClientInterceptor()],
});

/**
 * Activities run in a span continuing the workflow's (so what they write to the outbox carries it);
 * the workflow's own spans leave the sandbox through the `exporter` sink.
 */
export function tracingWorkerOptions(
  tracing: Tracing,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
