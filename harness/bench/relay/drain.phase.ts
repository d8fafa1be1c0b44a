import { ensureTopics } from '../../../activities/outbox/kafka.topics.js';
import type { DeliveryCheck } from '../../support/kafka-readback.js';
import { cpuSplit } from '../support/cpu.js';
import type { Throughput } from './ceiling.phase.js';
import { unpublished, type OutboxState } from './outbox-load.js';
import {
  createBenchRelay,
  orAbort,
  perSecond,
  ticker,
  topicsOf,
  verify,
  type PhaseContext,
} from './phase-context.js';
import type { RelayProfile } from './relay-profile.js';

/** 2. The relay's drain of a prefilled backlog, beside the ceiling. */

export interface DrainResult extends Throughput {
  /** drain() calls until the backlog was 0. */
  drains: number;
  profile: RelayProfile;
  state: OutboxState;
  delivery: DeliveryCheck;
}

/** Publishes the phase's prefilled rows to topics of their own (`<phase>.order`, ...). */
export async function runDrain(ctx: PhaseContext, phase: string): Promise<DrainResult> {
  const events = await unpublished(ctx.pool, phase);
  await ensureTopics(ctx.kafka, topicsOf(phase), ctx.partitions);
  const { relay, publisher, profile } = createBenchRelay(ctx, phase);
  let last = 0;
  const stopTicker = ticker(1_000, () => {
    ctx.progress(
      `relay drain: ${profile.published}/${events} published (${profile.published - last}/s in the last second)`,
    );
    last = profile.published;
  });
  const before = ctx.cpuSnapshot();
  const start = performance.now();
  let drains = 0;
  try {
    // A lane stops at its first empty claim, which may leave events another lane skipped.
    do {
      drains++;
      await orAbort(relay.drain(), ctx.signal);
    } while ((await unpublished(ctx.pool, phase)) > 0 && drains < 1_000);
  } finally {
    stopTicker();
    await publisher.close();
  }
  const ms = performance.now() - start;
  const cpu = cpuSplit(before, ctx.cpuSnapshot());
  ctx.progress(`relay drain: ${events} in ${(ms / 1000).toFixed(2)} s, ${drains} drain() call(s)`);
  ctx.progress('relay drain: reading the topics back...');
  return {
    events,
    ms,
    perSecond: perSecond(events, ms),
    cpu,
    drains,
    profile,
    ...(await verify(ctx, phase, phase)),
  };
}
