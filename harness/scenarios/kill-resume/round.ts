import { shortKey } from './in-flight.js';
import { launchBatch } from './customers.js';
import type { Batch, PlannedSaga, Products } from './mix.js';
import { check, done, notYet, outboxBacklog, progressOf, seconds, within } from './probes.js';
import type { KillResumeRun } from './run-context.js';

/** One round's sagas, from their launch through their settling to the checks of their outcome. */

export interface Round {
  batch: Batch;
  answered: Promise<void>;
  eventId: string;
}

export async function launchRound(
  run: KillResumeRun,
  batch: Batch,
  products: Products,
): Promise<Round> {
  const started = await launchBatch(run.api, run.options.gateway, batch, {
    products,
    eventStartsAt: new Date(Date.now() + run.eventLeadMs),
  });
  run.narrate(
    `[${batch.round}] launched ${batch.orders.length} orders and ${batch.bookings.length} bookings for ${batch.customerId}: ` +
      batch.sagas.map((saga) => `${saga.label} ${saga.story}`).join(', '),
  );
  return { batch, ...started };
}

/** Settled: ended, or a confirmed booking, notified, that only waits for its event to start. */
async function standing(
  run: KillResumeRun,
  saga: PlannedSaga,
): Promise<{ settled: string } | { waiting: string }> {
  const { client, prisma } = run.options;
  const { status, pending } = await progressOf(client, saga.workflowId);
  if (status !== 'RUNNING') return { settled: status };
  if (saga.kind === 'booking' && pending.length === 0) {
    const [row, notified] = await Promise.all([
      prisma.booking.findUnique({ where: { id: saga.id }, select: { status: true } }),
      prisma.notification.findUnique({ where: { id: `${saga.workflowId}:notify` } }),
    ]);
    if (row?.status === 'CONFIRMED' && notified)
      return { settled: 'CONFIRMED, awaiting its event' };
  }
  return {
    waiting: `${saga.label} ${pending.map(run.describeActivity).join(', ') || 'between steps'}`,
  };
}

/** Polls until every saga of the round has settled; narrates progress about once a second. */
export async function untilSettled(run: KillResumeRun, round: Round, since: number) {
  const settled = new Map<string, string>();
  let lastSaid = Date.now();
  await run.until(`round ${round.batch.round}'s sagas to settle`, async () => {
    const waiting: string[] = [];
    for (const saga of round.batch.sagas) {
      if (settled.has(saga.id)) continue;
      const now = await standing(run, saga);
      if ('settled' in now) settled.set(saga.id, now.settled);
      else waiting.push(now.waiting);
    }
    if (waiting.length === 0) return done(undefined);
    if (Date.now() - lastSaid >= 1_000) {
      lastSaid = Date.now();
      run.narrate(
        `[${round.batch.round}]   +${seconds(Date.now() - since)}: ${settled.size}/${round.batch.sagas.length} settled; ` +
          `waiting for ${waiting.slice(0, 4).join('; ')}${waiting.length > 4 ? `; ${waiting.length - 4} more` : ''}`,
      );
    }
    return notYet(waiting.join('; '));
  });
  return Date.now();
}

/** Polls until the outbox is empty; resolves the time it was. */
export const untilDrained = (run: KillResumeRun) =>
  run.until('the outbox to drain', async () => {
    const backlog = await outboxBacklog(run.options.prisma);
    return backlog.unpublished === 0
      ? done(Date.now())
      : notYet(`${backlog.unpublished} unpublished, ${backlog.claimed} claimed`);
  });

/** After a round: every request answered as expected, every saga's row in its expected state. */
export async function checkRound(run: KillResumeRun, round: Round) {
  const { prisma } = run.options;
  await within(
    round.answered,
    run.timeoutMs,
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
}

/** The gateway calls caught mid-call: each reached the gateway twice at least (the kill, the retry). */
export function checkRetriedCalls(run: KillResumeRun, keys: string[]) {
  const calls = keys.map((key) => ({ key, requests: run.options.gateway.requests(key) }));
  for (const call of calls)
    check(
      call.requests >= 2,
      `${call.key} reached the gateway ${call.requests}× (the killed worker's call, then a retry, expected)`,
    );
  return calls;
}

/** `o1:charge reached the gateway 2×, …` for the narration. */
export const retriedCallsLine = (calls: { key: string; requests: number }[]) =>
  calls.map((c) => `${shortKey(c.key)} reached the gateway ${c.requests}×`).join(', ');
