import { inFlightOn, untilRelayRunsOn } from './in-flight.js';
import { catchMoment, type CaughtMoment } from './kill-moments.js';
import { planBatch, type Batch, type Products } from './mix.js';
import { seconds } from './probes.js';
import {
  checkRetriedCalls,
  checkRound,
  retriedCallsLine,
  untilDrained,
  untilSettled,
  type Round,
} from './round.js';
import type { KillResumeRun } from './run-context.js';
import { KILL_MOMENTS, type KillMoment, type KillRound } from './scenario.types.js';
import type { WorkerProcess } from './workers.js';

/**
 * One worker, killed at each moment (SIGKILL) with a fresh mix of sagas in flight, and replaced
 * by a new one; the rounds time how long the new one takes to settle what the old one left.
 */
export async function runOneWorkerRounds(
  run: KillResumeRun,
  products: Products,
): Promise<{ rounds: KillRound[]; batches: Batch[] }> {
  let current = run.launch('worker-1');
  run.narrate(`starting worker-1 (pid ${current.pid})`);
  await current.ready;
  run.narrate(`worker-1 ready after ${seconds((await current.ready) - current.spawnedAt)}`);
  await untilRelayRunsOn(run, [current]);

  const rounds: KillRound[] = [];
  const batches: Batch[] = [];
  for (const [index, moment] of (run.options.moments ?? KILL_MOMENTS).entries()) {
    run.options.signal?.throwIfAborted();
    const { round, batch, next } = await killAndReplace(run, index + 1, moment, current, products);
    rounds.push(round);
    batches.push(batch);
    current = next;
  }
  return { rounds, batches };
}

/** One round: catch `victim` at `moment`, kill it, start the next worker, time and check the round. */
async function killAndReplace(
  run: KillResumeRun,
  number: number,
  moment: KillMoment,
  victim: WorkerProcess,
  products: Products,
): Promise<{ round: KillRound; batch: Batch; next: WorkerProcess }> {
  run.narrate(`[${number}] ── kill ${victim.name} ${moment} ──`);
  const caught = await catchMoment(
    run,
    moment,
    planBatch(run.runId, number, products),
    products,
    victim,
  );
  const { round } = caught;
  const inFlight = await inFlightOn(run, round.batch, victim, caught.held);
  const killedAt = await kill(run, number, victim, caught, inFlight);
  const next = launchReplacement(run, number);
  const times = await timeRecovery(run, round, killedAt, next);
  await checkRound(run, round);
  const calls = checkRetriedCalls(run, caught.caught);
  if (calls.length > 0)
    run.narrate(
      `[${number}] ${retriedCallsLine(calls)} ` +
        `(the killed worker's call and the retry on ${next.name}; the gateway answered the retry with the first result)`,
    );
  const { settledAt, readyAt, drainedAt } = times;
  return {
    round: {
      round: number,
      moment,
      killed: { name: victim.name, pid: victim.pid },
      inFlight,
      replacement: { name: next.name, pid: next.pid, spawnToReadyMs: readyAt - next.spawnedAt },
      survivor: null,
      sagas: round.batch.sagas.length,
      killToSettledMs: settledAt - killedAt,
      spawnToSettledMs: settledAt - next.spawnedAt,
      readyToSettledMs: settledAt - readyAt,
      killToDrainedMs: drainedAt - killedAt,
      retriedCalls: calls,
    },
    batch: round.batch,
    next,
  };
}

/** SIGKILL, then the held calls and a frozen Kafka go; says what was in flight. */
async function kill(
  run: KillResumeRun,
  number: number,
  victim: WorkerProcess,
  { held, frozen, caught }: CaughtMoment,
  inFlight: string[],
): Promise<number> {
  const killedAt = await run.kill(victim, held, frozen);
  run.narrate(
    `[${number}] SIGKILL ${victim.name} (pid ${victim.pid}) with in flight: ${inFlight.join('; ') || 'nothing'}`,
  );
  if (caught.length > 0)
    run.narrate(
      `[${number}] released the held gateway call(s): the gateway completes them, but no worker is left to hear back`,
    );
  if (frozen) run.narrate(`[${number}] Kafka thawed (SIGCONT)`);
  return killedAt;
}

function launchReplacement(run: KillResumeRun, number: number): WorkerProcess {
  const next = run.launch(`worker-${number + 1}`);
  run.narrate(`[${number}] starting ${next.name} (pid ${next.pid})`);
  void next.ready.then(
    (readyAt) =>
      run.narrate(
        `[${number}]   ${next.name} ready ${seconds(readyAt - next.spawnedAt)} after its spawn`,
      ),
    () => {},
  );
  return next;
}

/** Waits for the round to settle and the outbox to drain; narrates the times from kill and spawn. */
async function timeRecovery(
  run: KillResumeRun,
  round: Round,
  killedAt: number,
  next: WorkerProcess,
) {
  const number = round.batch.round;
  const settledAt = await untilSettled(run, round, killedAt);
  const readyAt = await next.ready;
  run.narrate(
    `[${number}] all ${round.batch.sagas.length} sagas settled ${seconds(settledAt - next.spawnedAt)} after ${next.name} was spawned ` +
      `(${seconds(settledAt - readyAt)} after it was ready; ${seconds(settledAt - killedAt)} after the kill)`,
  );
  const drainedAt = await untilDrained(run);
  run.narrate(`[${number}] outbox drained ${seconds(drainedAt - killedAt)} after the kill`);
  return { settledAt, readyAt, drainedAt };
}
