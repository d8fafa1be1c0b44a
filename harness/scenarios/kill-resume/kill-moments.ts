import type { HeldRequests } from './gateway.js';
import { relayOn, untilRunningOn } from './in-flight.js';
import type { Batch, Products } from './mix.js';
import { done, notYet, outboxBacklog } from './probes.js';
import { launchRound, type Round } from './round.js';
import type { KillResumeRun } from './run-context.js';
import type { KillMoment } from './scenario.types.js';
import type { WorkerProcess } from './workers.js';

/**
 * How the one-worker rounds catch their worker at each moment: they launch the round so that the
 * moment comes (gateway calls held, Kafka frozen) and return once it is there, ready for the kill.
 */

export interface CaughtMoment {
  round: Round;
  /** Gateway calls held until after the kill. */
  held: HeldRequests[];
  /** Kafka is frozen until after the kill. */
  frozen: boolean;
  /** The gateway keys of the calls caught in flight: each must be retried after the kill. */
  caught: string[];
}

export function catchMoment(
  run: KillResumeRun,
  moment: KillMoment,
  planned: Batch,
  products: Products,
  victim: WorkerProcess,
): Promise<CaughtMoment> {
  if (moment === 'mid-payment') return catchMidPayment(run, planned, products, victim);
  if (moment === 'mid-compensation') return catchMidCompensation(run, planned, products, victim);
  return catchRelayPublishing(run, planned, products, victim);
}

/** Order o1's charge held at the gateway while it runs on the victim. */
async function catchMidPayment(
  run: KillResumeRun,
  planned: Batch,
  products: Products,
  victim: WorkerProcess,
): Promise<CaughtMoment> {
  const o1 = planned.orders[0]!;
  const held = [run.options.gateway.hold((request) => request.key === o1.chargeKey)];
  const round = await launchRound(run, planned, products);
  await held[0]!.arrival();
  const step = await untilRunningOn(run, o1, 'chargePayment', victim);
  run.narrate(
    `[${planned.round}] order o1's charge is in flight: ${run.describeActivity(step)}, its request held at the gateway`,
  );
  return { round, held, frozen: false, caught: [o1.chargeKey] };
}

/** The refunds of booking b4 and order o5 held at the gateway while they run on the victim. */
async function catchMidCompensation(
  run: KillResumeRun,
  planned: Batch,
  products: Products,
  victim: WorkerProcess,
): Promise<CaughtMoment> {
  const { gateway } = run.options;
  const o5 = planned.orders[4]!;
  const b4 = planned.bookings[3]!;
  const held = [
    gateway.hold((request) => request.key === b4.refundKey),
    gateway.hold((request) => request.key === o5.refundKey),
  ];
  const round = await launchRound(run, planned, products);
  await Promise.all(held.map((hold) => hold.arrival()));
  const refunds = await Promise.all([
    untilRunningOn(run, b4, 'refundBooking', victim),
    untilRunningOn(run, o5, 'refundPayment', victim),
  ]);
  run.narrate(
    `[${planned.round}] compensating: booking b4 (cancelled once confirmed) ${run.describeActivity(refunds[0])}, ` +
      `order o5 (cancelled mid-charge) ${run.describeActivity(refunds[1])}; both refunds held at the gateway`,
  );
  return { round, held, frozen: false, caught: [b4.refundKey, o5.refundKey] };
}

/** The relay's batch hangs on a frozen broker, and the sagas have got as far as paying. */
async function catchRelayPublishing(
  run: KillResumeRun,
  planned: Batch,
  products: Products,
  victim: WorkerProcess,
): Promise<CaughtMoment> {
  const { gateway, kafka, prisma } = run.options;
  const number = planned.round;
  kafka.pause();
  run.narrate(`[${number}] Kafka frozen (SIGSTOP): the relay's next publish will hang in flight`);
  const round = await launchRound(run, planned, products);
  // Paying too: so the kill also catches charges in flight, not only first steps.
  const charging = () =>
    round.batch.sagas.filter((saga) => gateway.requests(saga.chargeKey) > 0).length;
  const claimed = await run.until('the relay to publish while the sagas pay', async () => {
    const backlog = await outboxBacklog(prisma);
    return backlog.claimed > 0 && charging() >= 4 && (await relayOn(run, victim))
      ? done(backlog)
      : notYet(
          `${backlog.unpublished} unpublished, ${backlog.claimed} claimed, ${charging()} charges sent`,
        );
  });
  run.narrate(
    `[${number}] the relay on ${victim.name} is stuck publishing: ${claimed.claimed} event(s) claimed in its open ` +
      `transaction, sent towards the frozen broker, unacknowledged (${claimed.unpublished} waiting in all); ` +
      `${charging()} sagas have sent their charge`,
  );
  return { round, held: [], frozen: true, caught: [] };
}
