/**
 * Booking storm: many clients at once try to book (and pay for) seats of one event with few seats,
 * through the real API and the real saga worker, against the local stack.
 *
 *   npm run bench:booking-storm -- [--clients 1000] [--seats 100] [--seats-per-booking 1] [--workers 1]
 *   (npm run bench:booking-storm -- --help lists every option)
 *
 * Creates an event through the API, then fires every client at once: POST /bookings with its own
 * Idempotency-Key and, when that holds seats (201), POST /bookings/:id/pay. Afterwards it reads the
 * bookings from Postgres and runs the consistency check, and prints PASS/FAIL for: exactly as many
 * confirmed bookings as there are seats (for 1 seat per booking), no overbooked seat, availability
 * never negative, no 5xx, every request answered, and a consistent database. Exits 1 on any FAIL.
 *
 * Spawns api/server.ts and workers/saga-worker.ts with `node --import tsx`, passing the environment
 * through unchanged (their own defaults otherwise: the storm is bound by the Temporal server and the
 * CPU, not by pool sizes or worker slots). Every id carries the run id; the event and its bookings
 * stay (the consistency check covers every event, so they must stay consistent).
 */
import fs from 'node:fs';
import { BOOKING_TASK_QUEUE } from '../../../workflows/contracts/names.js';
import { warnIfMachineBusy } from '../support/machine.js';
import { foreignPollers } from '../../support/task-queue.js';
import { checksOf, consistency, seatBook } from './checks.js';
import { readStormOptions } from './options.js';
import { drainBacklog, spawnApis, spawnWorkers } from './processes.js';
import { header, jsonReport, printReport } from './report.js';
import {
  closeStormRun,
  createStormRun,
  gatewayFaults,
  preflight,
  temporalClient,
} from './resources.js';
import { createEvent, runStorm, warmConnections } from './storm.js';

const options = readStormOptions();
const run = createStormRun(options);

/** The header, and warnings about what would skew the numbers: foreign workers, faults, a busy machine. */
async function announce(foreign: string[], faults: string): Promise<void> {
  console.log(header(run, foreign, faults));
  for (const identity of foreign)
    console.warn(
      `warning: another worker (${identity}) polls ${BOOKING_TASK_QUEUE}: it takes part of the load`,
    );
  if (faults !== 'none')
    console.warn(`warning: the payment gateway injects faults (${faults}): payments may fail`);
  await warnIfMachineBusy('the storm', 'expect higher latencies');
}

async function main(): Promise<boolean> {
  await preflight(run);
  const client = await temporalClient(run);
  const [faults, foreignBefore] = await Promise.all([
    gatewayFaults(run),
    foreignPollers(client, options.config.TEMPORAL_NAMESPACE, BOOKING_TASK_QUEUE, new Set()),
  ]);
  await announce(foreignBefore, faults);
  process.stderr.write(
    `starting ${options.apis} api and ${options.workers} worker process(es)...\n`,
  );
  const [targets] = await Promise.all([spawnApis(run), spawnWorkers(run, client)]);
  await drainBacklog(run, client);
  const eventId = await createEvent(run, targets[0]!, new Date(Date.now() + options.startsInMs));
  process.stderr.write(`event ${eventId}: ${options.totalSeats} seats\n`);
  if (options.warmConnections) {
    const opened = await warmConnections(run, targets);
    process.stderr.write(`warmed ${opened} keep-alive connection(s)\n`);
  }
  if (run.interrupted) return false;

  const storm = await runStorm(run, targets, eventId);
  const seats = await seatBook(run, eventId);
  process.stderr.write('running the consistency check...\n');
  const consistencyResult = await consistency(run);
  const checks = checksOf(run, storm, seats, consistencyResult.report);
  printReport(run, eventId, storm, seats, consistencyResult, checks);
  if (options.json)
    fs.writeFileSync(
      options.json,
      JSON.stringify(jsonReport(run, eventId, storm, seats, consistencyResult, checks), null, 2),
    );
  return checks.every((c) => c.ok) && !storm.aborted;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await closeStormRun(run);
}
process.exit(run.interrupted ? 130 : passed ? 0 : 1); // the exit hook kills any straggler of ours
