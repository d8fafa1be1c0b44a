import os from 'node:os';
import { outsideShare } from '../support/cpu.js';
import { summarize } from '../support/load.js';
import {
  cpuTable,
  errorLines,
  rate,
  resultsTable,
  targetLines,
  type ScenarioResult,
  type Targets,
} from '../support/report.js';
import { WORKER_SETTINGS } from '../support/worker-tuning.js';
import type { SagaWorker } from './options.js';
import type { OrdersRun } from './resources.js';

const TARGETS: Targets = { throughput: 300, p99Ms: 500, ratio: 0.7 };
const REFERENCE =
  'DBOS (Postgres-only durable workflows, embedded Postgres): ~310 sagas/s, p99 ≈ 425 ms at concurrency 50';

const SAGA_WORKER_TEXT: Record<SagaWorker, string> = {
  real: 'workers/saga-worker.ts',
  bench: 'harness/bench/bench-worker.ts (orderSaga)',
  'bench-local': 'harness/bench/bench-worker.ts (orderSaga with local activities)',
  'in-api': `the API process (bench/api-with-worker.ts, eager start ${process.env.BENCH_EAGER_START ?? 'true'})`,
  'in-api-local': `the API process (bench/api-with-worker.ts, local activities, eager start ${process.env.BENCH_EAGER_START ?? 'true'})`,
};

/** The worker settings given in the environment (the rest are the defaults). */
const givenSettings = () => WORKER_SETTINGS.filter((name) => process.env[name] !== undefined);

export function header(run: OrdersRun): string {
  const { options } = run;
  const { config } = options;
  const settings = givenSettings().map((name) => `${name}=${process.env[name]}`);
  return [
    `durable-sagas order benchmark  run ${run.runId}  ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    `temporal ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), postgres ${options.hosts.DATABASE_URL}, payment gateway ${config.PAYMENT_GATEWAY_URL}`,
    `load: ${options.concurrency} closed-loop clients, warm-up ${options.warmupMs / 1000} s, measured ${options.durationMs / 1000} s per scenario`,
    `workers: ${options.workers} process(es) per queue; order queue served by ${SAGA_WORKER_TEXT[options.sagaWorker]}`,
    `settings: ${settings.length > 0 ? settings.join(' ') : '(defaults)'}`,
    `logs: ${run.logDir}`,
  ].join('\n');
}

/** REST and client beside the no-op ceiling, and what HTTP and the API add. */
function comparisonLines(results: ScenarioResult[]): string[] {
  const byName = (name: string) => results.find((r) => r.name === name && !r.load.aborted);
  const rest = byName('rest');
  const client = byName('client');
  const ceiling = byName('ceiling');
  const lines: string[] = [];
  if (ceiling && rate(ceiling) > 0) {
    const ratios = [
      rest && `REST / ceiling = ${(rate(rest) / rate(ceiling)).toFixed(2)}`,
      client && `client / ceiling = ${(rate(client) / rate(ceiling)).toFixed(2)}`,
    ];
    lines.push(`ratio to the no-op ceiling: ${ratios.filter(Boolean).join('   ') || '-'}`);
  }
  if (rest && client && rate(client) > 0) {
    const apiCpu = rest.cpu?.groups.find(([group]) => group === 'api')?.[1];
    const perOrder =
      apiCpu !== undefined && rate(rest) > 0
        ? `; the api process used ${((10 * apiCpu) / rate(rest)).toFixed(1)} ms CPU per order`
        : '';
    lines.push(
      `HTTP/API cost: REST / client throughput = ${(rate(rest) / rate(client)).toFixed(2)}${perOrder}`,
    );
  }
  return lines;
}

function cpuLines(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  if (results.some((r) => r.cpu)) {
    const cores = os.availableParallelism();
    lines.push(
      '',
      `CPU during each measured phase (% of one core; ${cores} cores = ${cores * 100}%):`,
      cpuTable(results),
    );
  }
  for (const r of results) {
    const outside = outsideShare(r.cpu);
    if (outside >= 20)
      lines.push(
        `warning: ${outside.toFixed(0)}% CPU went to processes outside the benchmark and the stack during "${r.label}": its numbers are low`,
      );
  }
  return lines;
}

export function printReport(run: OrdersRun, results: ScenarioResult[]) {
  if (results.length === 0) return;
  const complete = (name: string) => results.find((r) => r.name === name && !r.load.aborted);
  const lines = [
    '',
    resultsTable(results),
    '',
    ...comparisonLines(results),
    '',
    `targets (order saga via REST, concurrency ${run.options.concurrency}):`,
    ...targetLines(complete('rest'), complete('ceiling'), TARGETS),
    `  for scale: ${REFERENCE}`,
  ];
  const errors = errorLines(results);
  if (errors.length > 0) lines.push('', 'errors (measured phase):', ...errors);
  lines.push(...cpuLines(results));
  if (results.some((r) => r.load.aborted)) lines.push('', '(interrupted: partial results)');
  console.log(lines.join('\n'));
}

export function jsonReport(run: OrdersRun, results: ScenarioResult[]) {
  const { options } = run;
  return {
    runId: run.runId,
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    workers: options.workers,
    sagaWorker: options.sagaWorker,
    settings: Object.fromEntries(givenSettings().map((n) => [n, process.env[n]])),
    results: results.map((r) => ({
      name: r.name,
      label: r.label,
      completed: r.load.completed,
      perSecond: rate(r),
      latencyMs: summarize(r.load.latenciesMs),
      errors: Object.fromEntries(r.load.errors),
      eager: r.load.eager,
      cpuPercent: r.cpu && Object.fromEntries(r.cpu.groups),
      machineBusyPercent: r.cpu?.machineBusyPercent,
    })),
  };
}
