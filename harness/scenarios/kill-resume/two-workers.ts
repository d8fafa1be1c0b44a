import type { HeldRequests } from './gateway.js';
import { inFlightOn, relayOn, untilRelayRunsOn } from './in-flight.js';
import { planBatch, type Batch, type PlannedSaga, type Products } from './mix.js';
import { done, notYet, progressOf, seconds, type PendingActivity } from './probes.js';
import { checkRetriedCalls, checkRound, launchRound, untilDrained, untilSettled } from './round.js';
import type { KillResumeRun } from './run-context.js';
import type { KillRound } from './scenario.types.js';
import type { WorkerProcess } from './workers.js';

/**
 * Two workers on the same task queues; one is killed mid-saga (SIGKILL) and the other finishes
 * everything, relay included, without a restart.
 */
export async function runTwoWorkerRound(
  run: KillResumeRun,
  products: Products,
): Promise<{ rounds: KillRound[]; batches: Batch[] }> {
  const { pair, relayHolder } = await startPair(run);
  const number = 1;
  run.narrate(`[${number}] ── kill one of two workers mid-saga ──`);
  const planned = planBatch(run.runId, number, products);
  const charging = planned.sagas.filter(
    (saga) => saga.label !== 'o5' && saga.label !== 'o6' && saga.label !== 'b5',
  );
  const held = charging.map((saga) =>
    run.options.gateway.hold((request) => request.key === saga.chargeKey),
  );
  const round = await launchRound(run, planned, products);
  const caught = await heldChargeInFlight(run, charging, held, relayHolder);
  const victim = pair.find((worker) => worker.identity === caught.step.worker)!;
  const survivor = pair.find((worker) => worker !== victim)!;
  const victimHadRelay = (await relayOn(run, victim)) !== undefined;
  run.narrate(
    `[${number}] ${caught.saga.kind} ${caught.saga.label}'s charge is in flight on ${victim.name}: ${run.describeActivity(caught.step)}`,
  );
  const inFlight = await inFlightOn(run, round.batch, victim, held);
  const killedAt = await run.kill(victim, held, false);
  run.narrate(
    `[${number}] SIGKILL ${victim.name} (pid ${victim.pid}) with in flight: ${inFlight.join('; ')}; ` +
      `${survivor.name} keeps running, nothing is restarted`,
  );
  const settledAt = await untilSettled(run, round, killedAt);
  run.narrate(
    `[${number}] all ${round.batch.sagas.length} sagas settled on ${survivor.name} ${seconds(settledAt - killedAt)} after the kill`,
  );
  const drainedAt = await untilDrained(run);
  run.narrate(`[${number}] outbox drained ${seconds(drainedAt - killedAt)} after the kill`);
  const tookOverRelay = victimHadRelay && (await untilRelayRunsOn(run, [survivor])) === survivor;
  if (victimHadRelay) run.narrate(`[${number}] the relay activity now runs on ${survivor.name}`);
  await checkRound(run, round);
  const calls = checkRetriedCalls(run, [caught.saga.chargeKey]);
  const killRound: KillRound = {
    round: number,
    moment: 'mid-saga, two workers',
    killed: { name: victim.name, pid: victim.pid },
    inFlight,
    replacement: null,
    survivor: { name: survivor.name, pid: survivor.pid, tookOverRelay },
    sagas: round.batch.sagas.length,
    killToSettledMs: settledAt - killedAt,
    spawnToSettledMs: null,
    readyToSettledMs: null,
    killToDrainedMs: drainedAt - killedAt,
    retriedCalls: calls,
  };
  return { rounds: [killRound], batches: [round.batch] };
}

async function startPair(run: KillResumeRun) {
  const pair = [run.launch('worker-A'), run.launch('worker-B')];
  run.narrate(
    `starting worker-A (pid ${pair[0]!.pid}) and worker-B (pid ${pair[1]!.pid}) on the same task queues`,
  );
  await Promise.all(pair.map((worker) => worker.ready));
  const relayHolder = await untilRelayRunsOn(run, pair);
  run.narrate(`both ready; the relay runs on ${relayHolder.name}`);
  return { pair, relayHolder };
}

interface ChargeInFlight {
  saga: PlannedSaga;
  step: PendingActivity;
}

/**
 * The victim's charge: one held at the gateway that runs on the relay's worker (so its sagas and
 * the relay both move); if the charges all went to the other one, one there.
 */
async function heldChargeInFlight(
  run: KillResumeRun,
  charging: PlannedSaga[],
  held: HeldRequests[],
  relayHolder: WorkerProcess,
): Promise<ChargeInFlight> {
  const chargeStep = async (saga: PlannedSaga, n: number) => {
    if (held[n]!.arrived.length === 0) return undefined;
    const { pending } = await progressOf(run.options.client, saga.workflowId);
    return pending.find((a) => a.type.startsWith('charge') && a.state === 'STARTED');
  };
  return run
    .until('a held charge to run on a worker', async () => {
      const seen: string[] = [];
      for (const [n, saga] of charging.entries()) {
        const step = await chargeStep(saga, n);
        if (!step) continue;
        seen.push(`${saga.label} on ${run.nameOf(step.worker)}`);
        if (step.worker === relayHolder.identity) return done({ saga, step });
      }
      return notYet(seen.join(', ') || 'no charge in flight yet');
    })
    .catch(async () => {
      for (const [n, saga] of charging.entries()) {
        const step = await chargeStep(saga, n);
        if (step) return { saga, step };
      }
      throw new Error('no held charge is running on either worker');
    });
}
