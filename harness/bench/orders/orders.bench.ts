/**
 * Order saga throughput and latency against the real local stack, beside Temporal's own ceiling.
 *
 *   npm run bench:orders -- [--duration 20] [--warmup 5] [--concurrency 50] [--skip-ceiling]
 *                           [--scenarios rest,client,ceiling,...] [--workers 1] [--saga-worker real|...]
 *   (npm run bench:orders -- --help lists every option)
 *
 * Spawns the real API (api/server.ts) and worker (workers/saga-worker.ts) with `node --import tsx`,
 * passing the environment through (WORKER_MAX_CONCURRENT_*, DATABASE_POOL_MAX, LOG_LEVEL, ...), and a
 * no-op worker (bench/bench-worker.ts) for the ceiling. Each scenario runs a closed loop of
 * `concurrency` clients: warm-up, then a measured phase; one scenario at a time.
 */
import fs from 'node:fs';
import { errorText } from '../../../platform/config/error-text.js';
import { stopAllChildren } from '../../support/children.js';
import { sleep } from '../../support/polling.js';
import { deleteRunData } from '../support/bench-data.js';
import { cpuSnapshot, cpuSplit, type CpuSnapshot } from '../support/cpu.js';
import { runClosedLoop } from '../support/load.js';
import { warnIfMachineBusy } from '../support/machine.js';
import { writeProgress } from '../support/progress.js';
import type { ScenarioResult } from '../support/report.js';
import { BENCH_ONLY_SETTINGS } from '../support/worker-tuning.js';
import { inProcessWorkers } from './in-process-workers.js';
import { readOrdersOptions } from './options.js';
import { orderProcesses } from './processes.js';
import { header, jsonReport, printReport } from './report.js';
import { createOrdersRun } from './resources.js';
import { selectScenarios, type Scenario } from './scenarios.js';

const SETTLE_MS = 2_000; // between scenarios

const options = readOrdersOptions();
const run = createOrdersRun(options);
const inProcess = inProcessWorkers(run);
const selected = selectScenarios({ run, processes: orderProcesses(run), inProcess });

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  process.stderr.write(`${scenario.label}: starting what it needs...\n`);
  const runOne = await scenario.prepare();
  let before: CpuSnapshot | undefined;
  let cpu: ScenarioResult['cpu'];
  const load = await runClosedLoop({
    label: scenario.label,
    concurrency: options.concurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    runOne,
    signal: run.signal,
    onMeasureStart: () => (before = cpuSnapshot(run.known)),
    onMeasureEnd: () => (cpu = before && cpuSplit(before, cpuSnapshot(run.known))),
    progress: (line, final) => writeProgress(line, final),
  });
  return { name: scenario.name, label: scenario.label, load, cpu };
}

async function main() {
  console.log(header(run));
  const unused = BENCH_ONLY_SETTINGS.filter((name) => process.env[name] !== undefined);
  if (unused.length > 0 && options.sagaWorker === 'real') {
    console.warn(
      `note: ${unused.join(', ')} reach only the bench's workers (ceiling, variants, --saga-worker bench), not workers/saga-worker.ts`,
    );
  }
  await warnIfMachineBusy('the benchmark', 'expect lower numbers');
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    if (run.signal.aborted) break;
    if (results.length > 0) await sleep(SETTLE_MS);
    results.push(await runScenario(scenario));
  }
  printReport(run, results);
  if (options.json)
    fs.writeFileSync(options.json, JSON.stringify(jsonReport(run, results), null, 2));
}

/** Workers first, then this run's data (once nothing of ours writes any more), then connections. */
async function shutdown() {
  await inProcess.stop();
  await stopAllChildren();
  if (!options.keepData) {
    const orders = await deleteRunData(run.prisma, run.runId).catch((error: unknown) => {
      console.error(`could not delete this run's data: ${errorText(error)}`);
      return undefined;
    });
    if (orders !== undefined)
      console.error(`deleted this run's product and ${orders} order(s) (--keep-data keeps them)`);
  }
  for (const cleanup of run.cleanups.reverse()) await cleanup().catch(() => {});
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await shutdown();
}
process.exit(); // nothing of ours should keep the loop alive; the exit hook kills any straggler
