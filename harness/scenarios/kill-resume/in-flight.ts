import type { HeldRequests } from './gateway.js';
import type { Batch, PlannedSaga } from './mix.js';
import { done, notYet, outboxBacklog, progressOf, relayActivity } from './probes.js';
import type { KillResumeRun } from './run-context.js';
import type { WorkerProcess } from './workers.js';

/** What is in flight on a worker, as Temporal, the gateway and the outbox show it. */

/** A step of `saga` STARTED on `worker` (and, for a held call, waiting at the gateway). */
export async function runningOn(
  run: KillResumeRun,
  saga: PlannedSaga,
  type: string,
  worker: WorkerProcess,
) {
  return (await progressOf(run.options.client, saga.workflowId)).pending.find(
    (activity) =>
      activity.type === type && activity.state === 'STARTED' && activity.worker === worker.identity,
  );
}

export const untilRunningOn = (
  run: KillResumeRun,
  saga: PlannedSaga,
  type: string,
  worker: WorkerProcess,
) =>
  run.until(`${saga.label}'s ${type} to run on ${worker.name}`, async () => {
    const activity = await runningOn(run, saga, type, worker);
    if (activity) return done(activity);
    const { pending } = await progressOf(run.options.client, saga.workflowId);
    return notYet(pending.map(run.describeActivity).join(', ') || 'no pending activity');
  });

/** The relay's activity, when it runs on `worker`. */
export async function relayOn(run: KillResumeRun, worker: WorkerProcess) {
  const relay = await relayActivity(run.options.client, run.options.relayWorkflowId);
  return relay?.state === 'STARTED' && relay.worker === worker.identity ? relay : undefined;
}

/** Waits until the relay activity runs on one of `workers`; resolves that one. */
export const untilRelayRunsOn = (run: KillResumeRun, workers: WorkerProcess[]) =>
  run.until(
    `the relay activity to run on ${workers.map((w) => w.name).join(' or ')}`,
    async () => {
      for (const worker of workers) if (await relayOn(run, worker)) return done(worker);
      const relay = await relayActivity(run.options.client, run.options.relayWorkflowId).catch(
        () => null,
      );
      return notYet(
        relay
          ? `${run.describeActivity(relay)}, status ${relay.status?.state}`
          : 'no relay activity',
      );
    },
    250,
  );

/** What `worker` holds right now across the round's sagas and the relay. */
export async function inFlightOn(
  run: KillResumeRun,
  batch: Batch,
  worker: WorkerProcess,
  held: HeldRequests[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const saga of batch.sagas) {
    const { pending } = await progressOf(run.options.client, saga.workflowId);
    for (const activity of pending)
      if (activity.state === 'STARTED' && activity.worker === worker.identity)
        lines.push(`${saga.kind} ${saga.label} ${activity.type} (attempt ${activity.attempt})`);
  }
  const heldRequests = held.flatMap((hold) => hold.arrived);
  if (heldRequests.length > 0)
    lines.push(
      `${heldRequests.length} gateway call(s) held: ${heldRequests.map((r) => shortKey(r.key)).join(', ')}`,
    );
  if (await relayOn(run, worker)) {
    const { unpublished, claimed } = await outboxBacklog(run.options.prisma);
    lines.push(
      claimed > 0
        ? `relay publishing: a batch of ${claimed} event(s) claimed, sent, not yet committed (${unpublished} unpublished)`
        : `relay (${unpublished} unpublished)`,
    );
  }
  return lines;
}

/** A gateway key without its run and round: `order:kr-ab12cd-r1-o1:charge` → `o1:charge`. */
export const shortKey = (key: string) => key.replace(/^.*-r\d+-/, '');
