/**
 * npm run demo:kill-resume — saga workers are SIGKILLed mid-payment, mid-compensation and while the
 * outbox relay publishes; new ones finish the work. Then two workers share the task queues, one is
 * killed, and the other finishes without a restart.
 *
 * Brings the local stack up (reusing what runs) and stops only what it started. Everything the
 * scenario touches is its own (demo/kill-resume.environment.ts): a scratch database, a private
 * Kafka broker, a payment gateway in this process, private task queues, relay workflow and
 * consumer groups; so it runs beside `npm start` without either seeing the other's work. The
 * saga workers are separate processes (their logs are kept in a temporary directory). Narrates as
 * it goes, then prints the timings and the audit. Exit status: 0 pass, 1 fail (or the demo could
 * not run), 130 interrupted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config/load-config.js';
import { stackConfigSchema } from '../stack/config.js';
import { createFullStack } from '../stack/full-stack.js';
import { stackDown, stackUp } from '../stack/stack.js';
import {
  startKillResumeEnvironment,
  type KillResumeEnvironment,
} from '../scenarios/kill-resume/environment.js';
import {
  KillResumeCheckFailed,
  runKillResumeScenario,
  type KillResumeResult,
} from '../scenarios/kill-resume/scenario.js';
import { handleInterruption } from '../support/interruption.js';

/** From the new worker's "worker ready" to every saga settled: the target after a kill. */
const TARGET_MS = 5_000;
const begun = performance.now();

let config: ReturnType<typeof stackConfigSchema.parse>;
try {
  config = loadConfig(stackConfigSchema);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const stack = createFullStack(config);

const say = (line: string) =>
  console.log(`[${((performance.now() - begun) / 1000).toFixed(1).padStart(5)} s] ${line}`);

// ── cleanup, once, however the demo ends ────────────────────────────────────
let startedComponents: string[] = [];
let environment: KillResumeEnvironment | undefined;
let finishing: Promise<never> | undefined;

function finish(exitCode: number): Promise<never> {
  finishing ??= (async () => {
    await environment?.close().catch(() => {});
    if (startedComponents.length > 0) await stackDown(stack, startedComponents, say);
    process.exit(exitCode); // the exit hook of bench/support/children.ts kills any straggler
  })();
  return finishing;
}

const interruption = handleInterruption({ cleanUp: () => finish(130) });

// ── the report ──────────────────────────────────────────────────────────────
const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '))
    .join('\n');
}

function summary(results: KillResumeResult[]): string {
  const rows = [
    [
      'kill',
      'killed',
      'in flight at the kill',
      'replaced by',
      'spawn→ready',
      'ready→settled',
      'spawn→settled',
      'kill→settled',
      'kill→drained',
    ],
  ];
  const spawnToSettled: number[] = [];
  for (const result of results)
    for (const round of result.rounds) {
      if (round.spawnToSettledMs !== null) spawnToSettled.push(round.spawnToSettledMs);
      rows.push([
        round.moment,
        round.killed.name,
        `${round.inFlight.length} item(s): ${round.inFlight
          .map((line) => line.replace(/ \(attempt \d+\)/, ''))
          .join('; ')
          .slice(0, 70)}…`,
        round.replacement?.name ??
          `none (${round.survivor?.name} went on${round.survivor?.tookOverRelay ? ', took the relay' : ''})`,
        s(round.replacement?.spawnToReadyMs ?? null),
        s(round.readyToSettledMs),
        s(round.spawnToSettledMs),
        s(round.killToSettledMs),
        s(round.killToDrainedMs),
      ]);
    }
  const worst = Math.max(...spawnToSettled);
  const lines = ['', table(rows), ''];
  lines.push(
    `${worst <= TARGET_MS ? 'PASS' : 'MISS'}  new worker started → all sagas settled: at most ${s(worst)} ` +
      `(target ≤ ${s(TARGET_MS)}); "settled" = ended, or confirmed and only awaiting the event's start`,
  );
  lines.push(
    '      (a step caught mid-call is retried 2 s after its last heartbeat, every running step ' +
      'heartbeating each half second; a lost workflow task after 3 s; a dead worker’s sticky queue ' +
      'hands over after 1 s; the workflow bundle comes from the disk cache)',
  );
  for (const { workers, audit } of results) {
    lines.push(
      `PASS  ${workers === 1 ? 'one worker, killed and replaced' : 'two workers, one killed'}: ${audit.sagas} sagas ended as expected (` +
        Object.entries(audit.finalStates)
          .map(([state, n]) => `${n} ${state}`)
          .join(', ') +
        ')',
      `      no double charge: ${audit.charges.captured} captured once each (${audit.charges.requests} charge requests, ` +
        `${audit.charges.retriedKeys} retried), ${audit.charges.refunded} refunded, ${audit.charges.declined} declined`,
      `      conserved: ${audit.stock.map((p) => `${p.onHand} + ${p.committed} sold = ${p.initial}`).join(', ')} units; ` +
        `${audit.seats.total - audit.seats.available} seats taken = ${audit.seats.confirmed} confirmed; consistency check ok`,
      `      exactly once: ${audit.events} events, processed_events ${Object.values(audit.processedRows).join(' + ')}, ` +
        `${audit.points.actual} == ${audit.points.expected} points` +
        (audit.kafka
          ? `; ${audit.kafka.messages} messages on Kafka (${audit.kafka.duplicates} extra copies)`
          : '') +
        (audit.duplicatesDropped
          ? `; duplicates dropped ${Object.values(audit.duplicatesDropped).join(' + ')}`
          : ''),
    );
  }
  return lines.join('\n');
}

async function main(): Promise<KillResumeResult[]> {
  say('bringing the stack up');
  startedComponents = await stackUp(stack, config.STACK_START_TIMEOUT_MS, (line) =>
    say(`  ${line}`),
  );
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-sagas-kill-resume-'));
  environment = await startKillResumeEnvironment({
    databaseUrl: config.DATABASE_URL,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    redisUrl: config.REDIS_URL,
    logDir,
    say: (line) => say(`  ${line}`),
  });
  say(
    `ready: task queues ${Object.values(environment.taskQueues).join(', ')}; worker logs in ${logDir}`,
  );
  const results: KillResumeResult[] = [];
  for (const workers of [1, 2] as const) {
    say(
      workers === 1
        ? '── one worker: SIGKILL it at three moments, start a new one each time ──'
        : '── two workers on the same task queues: SIGKILL one, no restart ──',
    );
    results.push(
      await runKillResumeScenario({
        api: environment.api,
        client: environment.client,
        prisma: environment.prisma,
        gateway: environment.gateway,
        kafka: environment.kafka,
        launchWorker: environment.launchWorker,
        relayWorkflowId: environment.relayWorkflowId,
        consumerGroups: environment.consumerGroups,
        topics: environment.topics,
        duplicatesDropped: environment.duplicatesDropped,
        holdSeconds: environment.holdSeconds,
        workers,
        narrate: (line) => {
          if (!interruption.signal.aborted) say(line);
        },
        signal: interruption.signal,
      }),
    );
  }
  return results;
}

try {
  const results = await main();
  console.log(summary(results));
  await finish(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (!interruption.interrupted) {
    console.error(
      `\nFAIL  ${error instanceof KillResumeCheckFailed ? message : (error instanceof Error && error.stack) || message}`,
    );
  }
  await finish(interruption.interrupted ? 130 : 1);
}
