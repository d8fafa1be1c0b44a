import type {
  LoyaltyRecord,
  SagaViewRecord,
} from '../../../activities/projections/projection.queries.js';
import { done, notYet, seconds } from '../../support/polling.js';
import { describeOutbox, relayStatus, type OutageRun } from './outage-run.js';

/**
 * d. Once Kafka answers again, three clocks, narrated as each stops: the backlog drains, the relay
 * reports no failure, the read models catch up. The relay's own word lags the backlog: its
 * heartbeat reaches Temporal every few seconds.
 */

export interface ReadModels {
  views: SagaViewRecord[];
  loyalty: LoyaltyRecord;
}

export interface Recovery {
  drainedMs: number;
  relayRecoveredMs: number;
  readModels: ReadModels;
  readModelsMs: number;
}

/** What the read models must show: each order's events, the points of every order. */
export interface Expected {
  eventsPerOrder: Map<string, number>;
  points: number;
}

/** `back`: when Kafka answered (performance.now()); every clock runs from there. */
export async function timeRecovery(
  run: OutageRun,
  back: number,
  expected: Expected,
): Promise<Recovery> {
  const sinceBack = () => performance.now() - back;
  const [drainedMs, relayRecoveredMs, { readModels, readModelsMs }] = await Promise.all([
    untilDrained(run, sinceBack),
    untilRelayRecovered(run, sinceBack),
    untilReadModels(run, sinceBack, expected),
  ]);
  return { drainedMs, relayRecoveredMs, readModels, readModelsMs };
}

const untilDrained = (run: OutageRun, sinceBack: () => number) =>
  run
    .until('the outbox backlog to drain', async () => {
      const outbox = await run.outboxStatus();
      return outbox.backlog.unpublished === 0 ? done(outbox) : notYet(describeOutbox(outbox));
    })
    .then((drained) => {
      const ms = sinceBack();
      run.narrate(
        `[d] backlog 0 ${seconds(ms)} after Kafka answered (event-log sequence now ${drained.backlog.lastSequence})`,
      );
      return ms;
    });

const untilRelayRecovered = (run: OutageRun, sinceBack: () => number) =>
  run
    .until('the relay to report no failure again', async () => {
      const outbox = await run.outboxStatus();
      const status = relayStatus(outbox);
      return status && status.state !== 'backing-off' && !status.lastError
        ? done(status)
        : notYet(describeOutbox(outbox));
    })
    .then((recovered) => {
      const ms = sinceBack();
      run.narrate(
        `[d] relay heartbeat says ${recovered.state}, last error cleared, ${seconds(ms)} after Kafka answered ` +
          `(${recovered.publishedThisRun} events published by this relay activity so far)`,
      );
      return ms;
    });

const untilReadModels = (run: OutageRun, sinceBack: () => number, expected: Expected) => {
  const { orderIds, customerId } = run;
  const orderCount = orderIds.length;
  return run
    .until('the read models to catch up', async () => {
      const [found, loyalty] = await Promise.all([
        Promise.all(orderIds.map((id) => run.getJson<SagaViewRecord>(`/views/orders/${id}`))),
        run.getJson<LoyaltyRecord>(`/views/loyalty/${customerId}`),
      ]);
      const complete = found.filter(
        ({ status, body }, n) =>
          status === 200 &&
          body.status === 'CONFIRMED' &&
          body.eventCount >= expected.eventsPerOrder.get(orderIds[n]!)!,
      ).length;
      return complete === orderCount && loyalty.body.points >= expected.points
        ? done({ views: found.map((view) => view.body), loyalty: loyalty.body })
        : notYet(
            `${complete}/${orderCount} views CONFIRMED with all their events, ${loyalty.body.points}/${expected.points} points`,
          );
    })
    .then((caughtUp) => {
      const ms = sinceBack();
      run.narrate(
        `[d] read models caught up ${seconds(ms)} after Kafka answered: ` +
          `${orderCount}/${orderCount} views CONFIRMED with all their events, ${caughtUp.loyalty.points} points for ${customerId}`,
      );
      return { readModels: caughtUp, readModelsMs: ms };
    });
};
