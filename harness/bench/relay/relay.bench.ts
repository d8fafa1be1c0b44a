/**
 * Outbox relay: drain throughput beside raw kafkajs, commit → Kafka latency, and recovery from a
 * Kafka outage, on a scratch database (the stack's Postgres) and a private Kafka broker.
 *
 *   npm run bench:relay -- [--events 100000] [--batch-size 1000] [--concurrency 2] [--rate 200]
 *                          [--outage-seconds 30] [--phases ceiling,drain,latency,outage] [--json f]
 *   (npm run bench:relay -- --help lists every option)
 *
 * The relay runs in this process, built as workers/outbox-relay.ts builds it (createOutboxRelay,
 * runRelayLoop with LISTEN/NOTIFY wakeups); each phase publishes to its own topics. The scratch
 * database and the broker are removed at the end, also after a failure or Ctrl-C.
 */
import fs from 'node:fs';
import { errorText } from '../../../platform/config/error-text.js';
import { runCeiling } from './ceiling.phase.js';
import { relayChecks, type RelayResults } from './checks.js';
import { runDrain } from './drain.phase.js';
import { runLatency } from './latency.phase.js';
import { TARGETS, readRelayOptions } from './options.js';
import { runOutage } from './outage.phase.js';
import { prefillOutbox, prefillPublishedLog } from './outbox-load.js';
import { Interrupted, type PhaseContext } from './phase-context.js';
import { header, jsonReport, relayReport } from './report.js';
import { cleanUp, createRelayRun, setUp, trackPrisma } from './resources.js';

const options = readRelayOptions();
const { sizes, runs } = options;
const run = createRelayRun(options);
const { progress } = run;
const secondsSince = (start: number) => ((performance.now() - start) / 1000).toFixed(1);

/** A log of published events before anything else, when --log-size asks for one. */
async function prefillLog(ctx: PhaseContext): Promise<void> {
  const start = performance.now();
  progress(`log: ${sizes.logSize} published events...`);
  await prefillPublishedLog(ctx.pool, sizes.logSize);
  await ctx.pool.query('VACUUM ANALYZE outbox_events');
  progress(`log: done in ${secondsSince(start)} s`);
}

/** Prefill → ceiling → drain, `--rounds` times; each round its own rows (aggregates drain<round>-…) and topics. */
async function runRounds(ctx: PhaseContext, results: RelayResults): Promise<void> {
  for (let round = 1; round <= sizes.rounds && (runs('ceiling') || runs('drain')); round++) {
    const phase = `drain${round}`;
    const start = performance.now();
    progress(`round ${round}/${sizes.rounds}: prefill of ${sizes.events} events...`);
    await prefillOutbox(ctx.pool, phase, sizes);
    await ctx.pool.query('ANALYZE outbox_events');
    progress(`round ${round}: prefill done in ${secondsSince(start)} s`);
    results.rounds.push({
      ceiling: runs('ceiling') ? await runCeiling(ctx, phase) : undefined,
      drain: runs('drain') ? await runDrain(ctx, phase) : undefined,
    });
    if (!runs('drain'))
      await ctx.pool.query(`DELETE FROM outbox_events WHERE aggregate_id LIKE $1 || '-%'`, [phase]);
  }
}

/** The relay loop under live inserts: commit → consumed latency, then a Kafka outage. */
async function runLivePhases(ctx: PhaseContext, results: RelayResults): Promise<void> {
  if (runs('latency') || runs('outage')) {
    // Draining leaves every drained row's entries in the partial indexes dead until autovacuum
    // comes by; the latency and outage phases measure the steady state after it.
    await ctx.pool.query('VACUUM ANALYZE outbox_events');
  }
  if (runs('latency'))
    results.latency = await runLatency(ctx, 'latency', sizes.rate, sizes.latencyMs);
  if (runs('outage')) {
    const insertPrisma = trackPrisma(run, 10, 'insert');
    results.outage = await runOutage(ctx, 'outage', sizes.outageRate, sizes.outageMs, insertPrisma);
  }
}

async function main(): Promise<boolean> {
  console.log(header(run));
  const ctx = await setUp(run);
  const results: RelayResults = { rounds: [] };
  if (sizes.logSize > 0) await prefillLog(ctx);
  await runRounds(ctx, results);
  await runLivePhases(ctx, results);
  const checks = relayChecks(results, TARGETS);
  console.log(relayReport(results, checks, sizes));
  const pass = checks.every((c) => c.ok);
  console.log(`\nRESULT: ${pass ? 'PASS' : 'FAIL'}`);
  if (options.json)
    fs.writeFileSync(
      options.json,
      JSON.stringify(
        jsonReport(run, results, checks),
        (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
        2,
      ),
    );
  return pass;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  if (error instanceof Interrupted || run.signal.aborted)
    console.log('\nRESULT: FAIL (interrupted)');
  else console.error(`\n${errorText(error)}\nRESULT: FAIL`);
} finally {
  await cleanUp(run);
}
process.exit(run.signal.aborted ? 130 : passed ? 0 : 1);
