import type { EventPublisher } from '../../activities/outbox/event-publisher.port.js';
import type { OutboxLogRepository } from '../../activities/outbox/outbox-log.repository.js';

/** Where a relay's time goes: its repository and publisher, timed from the outside. */
export interface RelayProfile {
  claims: number;
  emptyClaims: number;
  claimMs: number;
  publishes: number;
  publishMs: number;
  publishFailures: number;
  /** performance.now() of the first successful publish after a failure. */
  backAt: number | undefined;
  published: number;
  marks: number;
  markMs: number;
}

export const emptyProfile = (): RelayProfile => ({
  claims: 0,
  emptyClaims: 0,
  claimMs: 0,
  publishes: 0,
  publishMs: 0,
  publishFailures: 0,
  backAt: undefined,
  published: 0,
  marks: 0,
  markMs: 0,
});

async function timed<T>(work: () => Promise<T>, add: (ms: number) => void): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    add(performance.now() - start);
  }
}

export function profiledLog(log: OutboxLogRepository, profile: RelayProfile): OutboxLogRepository {
  return {
    ...log,
    claimBatch: async (tx, limit) => {
      const batch = await timed(
        () => log.claimBatch(tx, limit),
        (ms) => (profile.claimMs += ms),
      );
      profile.claims++;
      if (batch.length === 0) profile.emptyClaims++;
      return batch;
    },
    recordPublished: (tx, ids) =>
      timed(
        () => log.recordPublished(tx, ids),
        (ms) => {
          profile.markMs += ms;
          profile.marks++;
        },
      ),
  };
}

export function profiledPublisher(
  publisher: EventPublisher,
  profile: RelayProfile,
): EventPublisher {
  return {
    ...publisher,
    publish: async (events) => {
      try {
        await timed(
          () => publisher.publish(events),
          (ms) => {
            profile.publishMs += ms;
            profile.publishes++;
          },
        );
      } catch (error) {
        profile.publishFailures++;
        profile.backAt = undefined;
        throw error;
      }
      if (profile.publishFailures > 0) profile.backAt ??= performance.now();
      profile.published += events.length;
    },
  };
}

/**
 * Milliseconds per batch for each step; `other` is what the lanes spent outside the three steps
 * (BEGIN/COMMIT, Prisma's transaction handling, waiting for a pooled connection).
 */
export function perBatch(profile: RelayProfile, wallMs: number, lanes: number) {
  const batches = Math.max(1, profile.claims);
  const other = wallMs * lanes - profile.claimMs - profile.publishMs - profile.markMs;
  return {
    batches: profile.claims,
    claimMs: profile.claimMs / batches,
    publishMs: profile.publishMs / batches,
    markMs: profile.markMs / batches,
    otherMs: Math.max(0, other) / batches,
  };
}
