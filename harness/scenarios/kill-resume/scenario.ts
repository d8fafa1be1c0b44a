import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../../prisma/client.js';
import type { ConsumerGroups } from '../../../activities/projections/saga-event-consumers.js';
import { auditKillResume, type KillResumeAudit } from './audit.js';
import type { HeldRequests, ProbedGateway } from './gateway.js';
import {
  createProducts,
  launchBatch,
  planBatch,
  type Batch,
  type PlannedSaga,
  type Products,
} from './mix.js';
import {
  check,
  outboxBacklog,
  progressOf,
  relayActivity,
  seconds,
  waitFor,
  done,
  notYet,
  type Poll,
  within,
  type PendingActivity,
} from './probes.js';
import type { WorkerLauncher, WorkerProcess } from './workers.js';

export { KillResumeCheckFailed } from './probes.js';

/**
 * Saga workers die with SIGKILL while sagas run, and the work still finishes, exactly once where it
 * matters. With one worker: it is killed mid-payment, mid-compensation and while the outbox relay
 * is publishing, each time with a fresh mix of orders and bookings in flight, and a new worker is
 * started. With two workers on the same task queues: one is killed mid-saga and the other finishes
 * everything, relay included, without a restart. Then the audit: every saga reached its final
 * state, no charge was captured twice, stock and seats add up, every event reached Kafka and each
 * consumer applied it once. Timings are measured and returned, never asserted.
 */

export type KillMoment = 'mid-payment' | 'mid-compensation' | 'relay-publishing';

export const KILL_MOMENTS: KillMoment[] = ['mid-payment', 'mid-compensation', 'relay-publishing'];

export interface KillResumeOptions {
  /** The REST API (`app.request` or a fetch against a base URL), on the scenario's task queues. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  client: Client;
  /** The database the workers and the API use; the audit reads it. */
  prisma: PrismaClient;
  /** The gateway the workers charge at: holds requests, counts them, and shows its ledger. */
  gateway: Pick<ProbedGateway, 'hold' | 'requests' | 'ledger'>;
  /** Freezes and thaws the broker the relay publishes to (a publish in flight stays in flight). */
  kafka: { pause(): void; resume(): void };
  launchWorker: WorkerLauncher;
  relayWorkflowId: string;
  consumerGroups: ConsumerGroups;
  /** When given, the audit reads every event back from Kafka. */
  topics?: { brokers: string[]; prefix: string };
  /** Duplicates each consumer group dropped, for the report. */
  duplicatesDropped?: () => Record<string, number>;
  /** The API's booking hold: unpaid bookings expire after it. */
  holdSeconds: number;
  narrate: (line: string) => void;
  /** 1: one worker, killed at each of `moments` and replaced. 2: two, one killed, no restart. */
  workers: 1 | 2;
  moments?: KillMoment[];
  /** Each round's event starts this long after its launch (default 20 s); its bookings end then. */
  eventLeadSeconds?: number;
  /** Limit of each wait (default 90 s). */
  waitTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface KillRound {
  round: number;
  moment: KillMoment | 'mid-saga, two workers';
  killed: { name: string; pid: number };
  /** What the killed worker had in flight, as Temporal, the gateway and the outbox showed it. */
  inFlight: string[];
  /** The worker started after the kill (one-worker mode). */
  replacement: { name: string; pid: number; spawnToReadyMs: number } | null;
  /** The worker that kept running (two-worker mode), and whether the relay moved to it. */
  survivor: { name: string; pid: number; tookOverRelay: boolean } | null;
  sagas: number;
  /** From the kill until every saga of the round had settled: ended, or confirmed and only
   * waiting for its event to start. */
  killToSettledMs: number;
  /** From the replacement's spawn, and from its "worker ready", until then (one-worker mode). */
  spawnToSettledMs: number | null;
  readyToSettledMs: number | null;
  /** From the kill until the outbox was empty again (after the round's sagas had settled). */
  killToDrainedMs: number;
  /** Requests per gateway key for the step caught mid-call: the killed worker's and the retry's. */
  retriedCalls: { key: string; requests: number }[];
}

export interface KillResumeResult {
  runId: string;
  workers: 1 | 2;
  rounds: KillRound[];
  audit: KillResumeAudit;
}

interface Round {
  batch: Batch;
  answered: Promise<void>;
  eventId: string;
}

export async function runKillResumeScenario(options: KillResumeOptions): Promise<KillResumeResult> {
  const { client, prisma, gateway, kafka, narrate, signal } = options;
  const api = (path: string, init?: RequestInit) => options.api(path, { ...init, signal });
  const timeoutMs = options.waitTimeoutMs ?? 90_000;
  const until = <T>(what: string, probe: () => Promise<Poll<T>>, pollMs = 100) =>
    waitFor(what, probe, { timeoutMs, pollMs, signal });
  const runId = randomBytes(3).toString('hex');
  const eventLeadMs = (options.eventLeadSeconds ?? 20) * 1_000;

  const names = new Map<string, string>(); // worker identity → name
  const nameOf = (identity: string) => names.get(identity) ?? (identity || '?');
  const running = new Set<WorkerProcess>();
  const launch = (name: string) => {
    const worker = options.launchWorker(name);
    names.set(worker.identity, name);
    running.add(worker);
    return worker;
  };
  const describeActivity = (activity: PendingActivity) =>
    `${activity.type} #${activity.attempt} ${activity.state}` +
    (activity.worker ? ` on ${nameOf(activity.worker)}` : '');

  /** A step of `saga` STARTED on `worker` (and, for a held call, waiting at the gateway). */
  const runningOn = async (saga: PlannedSaga, type: string, worker: WorkerProcess) =>
    (await progressOf(client, saga.workflowId)).pending.find(
      (activity) =>
        activity.type === type &&
        activity.state === 'STARTED' &&
        activity.worker === worker.identity,
    );
  const untilRunningOn = (saga: PlannedSaga, type: string, worker: WorkerProcess) =>
    until(`${saga.label}'s ${type} to run on ${worker.name}`, async () => {
      const activity = await runningOn(saga, type, worker);
      if (activity) return done(activity);
      const { pending } = await progressOf(client, saga.workflowId);
      return notYet(pending.map(describeActivity).join(', ') || 'no pending activity');
    });

  const relayOn = async (worker: WorkerProcess) => {
    const relay = await relayActivity(client, options.relayWorkflowId);
    return relay?.state === 'STARTED' && relay.worker === worker.identity ? relay : undefined;
  };
  const untilRelayRunsOn = async (workers: WorkerProcess[]) =>
    until(
      `the relay activity to run on ${workers.map((w) => w.name).join(' or ')}`,
      async () => {
        for (const worker of workers) if (await relayOn(worker)) return done(worker);
        const relay = await relayActivity(client, options.relayWorkflowId).catch(() => null);
        return notYet(
          relay ? `${describeActivity(relay)}, status ${relay.status?.state}` : 'no relay activity',
        );
      },
      250,
    );

  /** What `worker` holds right now across the round's sagas and the relay. */
  const inFlightOn = async (batch: Batch, worker: WorkerProcess, held: HeldRequests[]) => {
    const lines: string[] = [];
    for (const saga of batch.sagas) {
      const { pending } = await progressOf(client, saga.workflowId);
      for (const activity of pending)
        if (activity.state === 'STARTED' && activity.worker === worker.identity)
          lines.push(`${saga.kind} ${saga.label} ${activity.type} (attempt ${activity.attempt})`);
    }
    const heldRequests = held.flatMap((hold) => hold.arrived);
    if (heldRequests.length > 0)
      lines.push(
        `${heldRequests.length} gateway call(s) held: ${heldRequests.map((r) => r.key.replace(/^.*-r\d+-/, '')).join(', ')}`,
      );
    if (await relayOn(worker)) {
      const { unpublished, claimed } = await outboxBacklog(prisma);
      lines.push(
        claimed > 0
          ? `relay publishing: a batch of ${claimed} event(s) claimed, sent, not yet committed (${unpublished} unpublished)`
          : `relay (${unpublished} unpublished)`,
      );
    }
    return lines;
  };

  const launchRound = async (batch: Batch, products: Products): Promise<Round> => {
    const started = await launchBatch(api, gateway, batch, {
      products,
      eventStartsAt: new Date(Date.now() + eventLeadMs),
    });
    narrate(
      `[${batch.round}] launched ${batch.orders.length} orders and ${batch.bookings.length} bookings for ${batch.customerId}: ` +
        batch.sagas.map((saga) => `${saga.label} ${saga.story}`).join(', '),
    );
    return { batch, ...started };
  };

  /** Polls until every saga of the round has settled; narrates progress about once a second. */
  const untilSettled = async (round: Round, since: number) => {
    const settled = new Map<string, string>();
    let lastSaid = Date.now();
    await until(
      `round ${round.batch.round}'s sagas to settle`,
      async () => {
        const waiting: string[] = [];
        for (const saga of round.batch.sagas) {
          if (settled.has(saga.id)) continue;
          const { status, pending } = await progressOf(client, saga.workflowId);
          if (status !== 'RUNNING') {
            settled.set(saga.id, status);
            continue;
          }
          if (saga.kind === 'booking' && pending.length === 0) {
            const [row, notified] = await Promise.all([
              prisma.booking.findUnique({ where: { id: saga.id }, select: { status: true } }),
              prisma.notification.findUnique({ where: { id: `${saga.workflowId}:notify` } }),
            ]);
            if (row?.status === 'CONFIRMED' && notified) {
              settled.set(saga.id, 'CONFIRMED, awaiting its event');
              continue;
            }
          }
          waiting.push(
            `${saga.label} ${pending.map(describeActivity).join(', ') || 'between steps'}`,
          );
        }
        if (waiting.length === 0) return done(undefined);
        if (Date.now() - lastSaid >= 1_000) {
          lastSaid = Date.now();
          narrate(
            `[${round.batch.round}]   +${seconds(Date.now() - since)}: ${settled.size}/${round.batch.sagas.length} settled; ` +
              `waiting for ${waiting.slice(0, 4).join('; ')}${waiting.length > 4 ? `; ${waiting.length - 4} more` : ''}`,
          );
        }
        return notYet(waiting.join('; '));
      },
      100,
    );
    return Date.now();
  };

  const untilDrained = () =>
    until(
      'the outbox to drain',
      async () => {
        const backlog = await outboxBacklog(prisma);
        return backlog.unpublished === 0
          ? done(Date.now())
          : notYet(`${backlog.unpublished} unpublished, ${backlog.claimed} claimed`);
      },
      100,
    );

  /** After a round: every request answered as expected, every saga's row in its expected state. */
  const checkRound = async (round: Round) => {
    await within(
      round.answered,
      timeoutMs,
      `round ${round.batch.round}'s API calls to be answered`,
    );
    for (const saga of round.batch.sagas) {
      const row =
        saga.kind === 'order'
          ? await prisma.order.findUnique({ where: { id: saga.id }, select: { status: true } })
          : await prisma.booking.findUnique({ where: { id: saga.id }, select: { status: true } });
      check(
        row?.status === saga.expect,
        `${saga.kind} ${saga.label} (${saga.story}) is ${row?.status ?? 'missing'}, expected ${saga.expect}`,
      );
    }
  };

  /** Kills `victim` (SIGKILL), then lets held gateway calls and a frozen Kafka go. */
  const kill = async (victim: WorkerProcess, held: HeldRequests[], frozen: boolean) => {
    const killedAt = Date.now();
    await victim.kill();
    running.delete(victim);
    for (const hold of held) hold.release();
    if (frozen) kafka.resume();
    return killedAt;
  };

  const retriedCalls = (keys: string[]) =>
    keys.map((key) => ({ key, requests: gateway.requests(key) }));

  /** Duplicates dropped from now on (the consumers' counters run since they started). */
  const duplicatesSince = (read?: () => Record<string, number>) => {
    if (!read) return undefined;
    const before = read();
    return () =>
      Object.fromEntries(
        Object.entries(read()).map(([group, n]) => [group, n - (before[group] ?? 0)]),
      );
  };

  const duplicates = duplicatesSince(options.duplicatesDropped);

  const rounds: KillRound[] = [];
  const batches: Batch[] = [];
  try {
    const products = await createProducts(prisma, runId);
    narrate(
      `run ${runId}: products ${products.plenty.sku} (stock ${products.plenty.stock}) and ${products.scarce.sku} ` +
        `(stock ${products.scarce.stock}); each round books seats of a new ${20}-seat event`,
    );

    if (options.workers === 1) {
      let current = launch('worker-1');
      narrate(`starting worker-1 (pid ${current.pid})`);
      await current.ready;
      narrate(`worker-1 ready after ${seconds((await current.ready) - current.spawnedAt)}`);
      await untilRelayRunsOn([current]);

      const moments = options.moments ?? KILL_MOMENTS;
      for (const [index, moment] of moments.entries()) {
        signal?.throwIfAborted();
        const number = index + 1;
        const victim = current;
        narrate(`[${number}] ── kill ${victim.name} ${moment} ──`);
        const held: HeldRequests[] = [];
        let frozen = false;
        let round: Round;
        let caught: string[];
        const planned = planBatch(runId, number, products);
        const [o1, , , , o5] = planned.orders;
        const [, , , b4] = planned.bookings;
        if (moment === 'mid-payment') {
          held.push(gateway.hold((request) => request.key === o1!.chargeKey));
          round = await launchRound(planned, products);
          await held[0]!.arrival();
          const step = await untilRunningOn(o1!, 'chargePayment', victim);
          narrate(
            `[${number}] order o1's charge is in flight: ${describeActivity(step)}, its request held at the gateway`,
          );
          caught = [o1!.chargeKey];
        } else if (moment === 'mid-compensation') {
          held.push(gateway.hold((request) => request.key === b4!.refundKey));
          held.push(gateway.hold((request) => request.key === o5!.refundKey));
          round = await launchRound(planned, products);
          await Promise.all(held.map((hold) => hold.arrival()));
          const refunds = await Promise.all([
            untilRunningOn(b4!, 'refundBooking', victim),
            untilRunningOn(o5!, 'refundPayment', victim),
          ]);
          narrate(
            `[${number}] compensating: booking b4 (cancelled once confirmed) ${describeActivity(refunds[0])}, ` +
              `order o5 (cancelled mid-charge) ${describeActivity(refunds[1])}; both refunds held at the gateway`,
          );
          caught = [b4!.refundKey, o5!.refundKey];
        } else {
          kafka.pause();
          frozen = true;
          narrate(
            `[${number}] Kafka frozen (SIGSTOP): the relay's next publish will hang in flight`,
          );
          round = await launchRound(planned, products);
          // The moment: the relay's batch hangs on the frozen broker, and the sagas have got as far
          // as paying (so the kill also catches charges in flight, not only first steps).
          const charging = () =>
            round.batch.sagas.filter((saga) => gateway.requests(saga.chargeKey) > 0).length;
          const claimed = await until('the relay to publish while the sagas pay', async () => {
            const backlog = await outboxBacklog(prisma);
            return backlog.claimed > 0 && charging() >= 4 && (await relayOn(victim))
              ? done(backlog)
              : notYet(
                  `${backlog.unpublished} unpublished, ${backlog.claimed} claimed, ${charging()} charges sent`,
                );
          });
          narrate(
            `[${number}] the relay on ${victim.name} is stuck publishing: ${claimed.claimed} event(s) claimed in its open ` +
              `transaction, sent towards the frozen broker, unacknowledged (${claimed.unpublished} waiting in all); ` +
              `${charging()} sagas have sent their charge`,
          );
          caught = [];
        }
        batches.push(round.batch);
        const inFlight = await inFlightOn(round.batch, victim, held);
        const killedAt = await kill(victim, held, frozen);
        narrate(
          `[${number}] SIGKILL ${victim.name} (pid ${victim.pid}) with in flight: ${inFlight.join('; ') || 'nothing'}`,
        );
        if (caught.length > 0)
          narrate(
            `[${number}] released the held gateway call(s): the gateway completes them, but no worker is left to hear back`,
          );
        if (frozen) narrate(`[${number}] Kafka thawed (SIGCONT)`);

        const next = launch(`worker-${number + 1}`);
        current = next;
        narrate(`[${number}] starting ${next.name} (pid ${next.pid})`);
        void next.ready.then(
          (readyAt) =>
            narrate(
              `[${number}]   ${next.name} ready ${seconds(readyAt - next.spawnedAt)} after its spawn`,
            ),
          () => {},
        );
        const settledAt = await untilSettled(round, killedAt);
        const readyAt = await next.ready;
        narrate(
          `[${number}] all ${round.batch.sagas.length} sagas settled ${seconds(settledAt - next.spawnedAt)} after ${next.name} was spawned ` +
            `(${seconds(settledAt - readyAt)} after it was ready; ${seconds(settledAt - killedAt)} after the kill)`,
        );
        const drainedAt = await untilDrained();
        narrate(`[${number}] outbox drained ${seconds(drainedAt - killedAt)} after the kill`);
        await checkRound(round);
        const calls = retriedCalls(caught);
        for (const call of calls)
          check(
            call.requests >= 2,
            `${call.key} reached the gateway ${call.requests}× (the killed worker's call, then a retry, expected)`,
          );
        if (calls.length > 0)
          narrate(
            `[${number}] ${calls.map((c) => `${c.key.replace(/^.*-r\d+-/, '')} reached the gateway ${c.requests}×`).join(', ')} ` +
              `(the killed worker's call and the retry on ${next.name}; the gateway answered the retry with the first result)`,
          );
        rounds.push({
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
        });
      }
    } else {
      const pair = [launch('worker-A'), launch('worker-B')];
      narrate(
        `starting worker-A (pid ${pair[0]!.pid}) and worker-B (pid ${pair[1]!.pid}) on the same task queues`,
      );
      await Promise.all(pair.map((worker) => worker.ready));
      const relayHolder = await untilRelayRunsOn(pair);
      narrate(`both ready; the relay runs on ${relayHolder.name}`);

      const number = 1;
      narrate(`[${number}] ── kill one of two workers mid-saga ──`);
      const planned = planBatch(runId, number, products);
      const charging = planned.sagas.filter(
        (saga) => saga.label !== 'o5' && saga.label !== 'o6' && saga.label !== 'b5',
      );
      const held = charging.map((saga) =>
        gateway.hold((request) => request.key === saga.chargeKey),
      );
      const round = await launchRound(planned, products);
      batches.push(round.batch);
      // The victim: the relay's worker, once it runs one of the held charges (so its sagas and the
      // relay both move); if the charges all went to the other one, that one.
      const caught = await until('a held charge to run on a worker', async () => {
        const seen: string[] = [];
        for (const [n, saga] of charging.entries()) {
          if (held[n]!.arrived.length === 0) continue;
          const { pending } = await progressOf(client, saga.workflowId);
          const step = pending.find((a) => a.type.startsWith('charge') && a.state === 'STARTED');
          if (!step) continue;
          seen.push(`${saga.label} on ${nameOf(step.worker)}`);
          if (step.worker === relayHolder.identity) return done({ saga, step });
        }
        return notYet(seen.join(', ') || 'no charge in flight yet');
      }).catch(async () => {
        for (const [n, saga] of charging.entries()) {
          if (held[n]!.arrived.length === 0) continue;
          const step = (await progressOf(client, saga.workflowId)).pending.find(
            (a) => a.type.startsWith('charge') && a.state === 'STARTED',
          );
          if (step) return { saga, step };
        }
        throw new Error('no held charge is running on either worker');
      });
      const victim = pair.find((worker) => worker.identity === caught.step.worker)!;
      const survivor = pair.find((worker) => worker !== victim)!;
      const victimHadRelay = (await relayOn(victim)) !== undefined;
      narrate(
        `[${number}] ${caught.saga.kind} ${caught.saga.label}'s charge is in flight on ${victim.name}: ${describeActivity(caught.step)}`,
      );
      const inFlight = await inFlightOn(round.batch, victim, held);
      const killedAt = await kill(victim, held, false);
      narrate(
        `[${number}] SIGKILL ${victim.name} (pid ${victim.pid}) with in flight: ${inFlight.join('; ')}; ` +
          `${survivor.name} keeps running, nothing is restarted`,
      );
      const settledAt = await untilSettled(round, killedAt);
      narrate(
        `[${number}] all ${round.batch.sagas.length} sagas settled on ${survivor.name} ${seconds(settledAt - killedAt)} after the kill`,
      );
      const drainedAt = await untilDrained();
      narrate(`[${number}] outbox drained ${seconds(drainedAt - killedAt)} after the kill`);
      const tookOverRelay = victimHadRelay && (await untilRelayRunsOn([survivor])) === survivor;
      if (victimHadRelay) narrate(`[${number}] the relay activity now runs on ${survivor.name}`);
      await checkRound(round);
      const calls = retriedCalls([caught.saga.chargeKey]);
      check(
        calls[0]!.requests >= 2,
        `${caught.saga.chargeKey} reached the gateway ${calls[0]!.requests}× (the killed worker's call, then a retry, expected)`,
      );
      rounds.push({
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
      });
    }

    const audit = await auditKillResume({
      client,
      prisma,
      gateway,
      runId,
      batches,
      products,
      consumerGroups: options.consumerGroups,
      topics: options.topics,
      duplicatesDropped: duplicates,
      narrate,
      timeoutMs: timeoutMs + eventLeadMs,
      signal,
    });
    return { runId, workers: options.workers, rounds, audit };
  } finally {
    // The next run (or a test's next scenario) must find only its own workers on the queues.
    await Promise.all([...running].map((worker) => worker.stop()));
  }
}
