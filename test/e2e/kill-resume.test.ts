import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  runKillResumeScenario,
  startKillResumeEnvironment,
  type KillResumeEnvironment,
  type KillResumeOptions,
  type KillResumeResult,
} from '../support/scenarios.js';

/**
 * The demo's scenarios (npm run demo:kill-resume), end to end: real saga worker processes,
 * SIGKILLed mid-payment, mid-compensation and while the relay publishes (then replaced), and one
 * of two workers killed while the other carries on. Isolated like the demo: a scratch database, a
 * private Kafka broker, a gateway in this process, private task queues, relay workflow and consumer
 * groups. Timings are the demo's business; this asserts correctness only.
 */

const env = inject('stackEnv');
let environment: KillResumeEnvironment;
let logDir: string;

beforeAll(async () => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kill-resume-test-'));
  environment = await startKillResumeEnvironment({
    databaseUrl: env.DATABASE_URL!,
    temporalAddress: env.TEMPORAL_ADDRESS!,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    redisUrl: env.REDIS_URL!,
    logDir,
  });
});

afterAll(async () => {
  await environment?.close();
});

async function scenario(workers: 1 | 2): Promise<KillResumeResult> {
  const narration: string[] = [];
  const options: KillResumeOptions = {
    ...environment,
    workers,
    narrate: (line) => narration.push(line),
  };
  const result = await runKillResumeScenario(options).catch((error: unknown) => {
    if (error instanceof Error)
      error.message += `\nnarration so far:\n${narration.join('\n')}\nworker logs: ${logDir}`;
    throw error;
  });
  console.log(narration.join('\n'));
  return result;
}

/** What one round's mix ends as (see demo/kill-resume.mix.ts). */
const perRound = {
  'order CONFIRMED': 3,
  'order FAILED': 2,
  'order CANCELLED': 1,
  'booking CONFIRMED': 2,
  'booking FAILED': 1,
  'booking CANCELLED': 1,
  'booking EXPIRED': 1,
};
const times = (rounds: number) =>
  Object.fromEntries(Object.entries(perRound).map(([state, n]) => [state, n * rounds]));

function expectAuditPassed({ audit }: KillResumeResult, rounds: number) {
  expect(audit.sagas).toBe(11 * rounds);
  expect(audit.finalStates).toEqual(times(rounds));
  // Captured once each: o1–o3, o5 (then refunded), b1, b2, b4 (then refunded); o4 and b3 declined.
  expect(audit.charges).toMatchObject({
    captured: 7 * rounds,
    refunded: 2 * rounds,
    declined: 2 * rounds,
  });
  expect(audit.charges.retriedKeys).toBeGreaterThanOrEqual(rounds);
  for (const product of audit.stock)
    expect(product.onHand + product.committed).toBe(product.initial);
  expect(audit.seats.total - audit.seats.available).toBe(audit.seats.confirmed);
  expect(Object.values(audit.processedRows)).toEqual([audit.events, audit.events]);
  expect(audit.points.actual).toBe(audit.points.expected);
  expect(audit.kafka?.messages).toBeGreaterThanOrEqual(audit.events);
}

describe('kill and resume (the demo scenarios, isolated)', () => {
  it('one worker SIGKILLed mid-payment, mid-compensation and while the relay publishes; a new one finishes every saga exactly once', async () => {
    const result = await scenario(1);

    expect(result.rounds.map((round) => round.moment)).toEqual([
      'mid-payment',
      'mid-compensation',
      'relay-publishing',
    ]);
    for (const round of result.rounds) {
      expect(round.replacement).not.toBeNull();
      expect(round.inFlight.length).toBeGreaterThan(0);
    }
    const [payment, compensation, relay] = result.rounds;
    // The call caught in flight reached the gateway twice (the dead worker's, the retry) …
    expect(payment!.retriedCalls).toEqual([
      { key: expect.stringMatching(/-o1:charge$/), requests: expect.any(Number) },
    ]);
    expect(compensation!.retriedCalls.map((call) => call.key)).toEqual([
      expect.stringMatching(/-b4:refund$/),
      expect.stringMatching(/-o5:refund$/),
    ]);
    for (const call of [...payment!.retriedCalls, ...compensation!.retriedCalls])
      expect(call.requests).toBeGreaterThanOrEqual(2);
    expect(relay!.inFlight.some((line) => line.startsWith('relay publishing'))).toBe(true);
    // … and the audit found one capture per charge, stock and seats conserved, every event on
    // Kafka and applied once per consumer group.
    expectAuditPassed(result, 3);
  }, 240_000);

  it('two workers share the task queues; one is SIGKILLed mid-saga and the other finishes the work without a restart', async () => {
    const result = await scenario(2);

    expect(result.rounds).toHaveLength(1);
    const [round] = result.rounds;
    expect(round!.replacement).toBeNull();
    expect(round!.survivor).not.toBeNull();
    expect(round!.survivor!.name).not.toBe(round!.killed.name);
    expect(round!.retriedCalls[0]!.requests).toBeGreaterThanOrEqual(2);
    expectAuditPassed(result, 1);
  }, 180_000);
});
