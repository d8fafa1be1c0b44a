import { auditKillResume } from './audit.js';
import { createProducts, type Products } from './mix.js';
import { runOneWorkerRounds } from './one-worker.js';
import { startRun, type KillResumeRun } from './run-context.js';
import type { KillResumeOptions, KillResumeResult } from './scenario.types.js';
import { runTwoWorkerRound } from './two-workers.js';

export { KillResumeCheckFailed } from './probes.js';
export {
  KILL_MOMENTS,
  type KillMoment,
  type KillResumeOptions,
  type KillResumeResult,
  type KillRound,
} from './scenario.types.js';

/**
 * Saga workers die with SIGKILL while sagas run, and the work still finishes, exactly once where it
 * matters. With one worker: it is killed mid-payment, mid-compensation and while the outbox relay
 * is publishing, each time with a fresh mix of orders and bookings in flight, and a new worker is
 * started. With two workers on the same task queues: one is killed mid-saga and the other finishes
 * everything, relay included, without a restart. Then the audit: every saga reached its final
 * state, no charge was captured twice, stock and seats add up, every event reached Kafka and each
 * consumer applied it once. Timings are measured and returned, never asserted.
 */
export async function runKillResumeScenario(options: KillResumeOptions): Promise<KillResumeResult> {
  const run = startRun(options);
  const duplicates = duplicatesSince(options.duplicatesDropped);
  try {
    const products = await createProducts(options.prisma, run.runId);
    narrateProducts(run, products);
    const { rounds, batches } =
      options.workers === 1
        ? await runOneWorkerRounds(run, products)
        : await runTwoWorkerRound(run, products);
    const audit = await auditKillResume({
      client: options.client,
      prisma: options.prisma,
      gateway: options.gateway,
      runId: run.runId,
      batches,
      products,
      consumerGroups: options.consumerGroups,
      topics: options.topics,
      duplicatesDropped: duplicates,
      narrate: run.narrate,
      timeoutMs: run.timeoutMs + run.eventLeadMs,
      signal: options.signal,
    });
    return { runId: run.runId, workers: options.workers, rounds, audit };
  } finally {
    // The next run (or a test's next scenario) must find only its own workers on the queues.
    await run.stopWorkers();
  }
}

function narrateProducts(run: KillResumeRun, products: Products) {
  run.narrate(
    `run ${run.runId}: products ${products.plenty.sku} (stock ${products.plenty.stock}) and ${products.scarce.sku} ` +
      `(stock ${products.scarce.stock}); each round books seats of a new ${20}-seat event`,
  );
}

/** Duplicates dropped from now on (the consumers' counters run since they started). */
function duplicatesSince(read?: () => Record<string, number>) {
  if (!read) return undefined;
  const before = read();
  return () =>
    Object.fromEntries(
      Object.entries(read()).map(([group, n]) => [group, n - (before[group] ?? 0)]),
    );
}
