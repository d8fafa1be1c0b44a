import type { EventPublisher } from '../../../activities/outbox/event-publisher.port.js';
import type { OutboxLogRepository } from '../../../activities/outbox/event-log.repository.js';
import type { PrismaClient } from '../../../prisma/client.js';

/** Where a relay's time goes: its repository and publisher, timed from the outside. */
export interface RelayProfile {
  /** Time inside the relay's transactions: all lanes together. */
  transactionMs: number;
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
  transactionMs: 0,
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

/** The relay's client with its transactions timed; everything else passes through. */
export function profiledPrisma(prisma: PrismaClient, profile: RelayProfile): PrismaClient {
  const transaction = ((...args: Parameters<PrismaClient['$transaction']>) =>
    timed(
      () => prisma.$transaction(...args),
      (ms) => (profile.transactionMs += ms),
    )) as PrismaClient['$transaction'];
  return new Proxy(prisma, {
    get: (target, property) =>
      property === '$transaction' ? transaction : Reflect.get(target, property),
  });
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
 * Milliseconds per batch for each step; `other` is the rest of the transaction (BEGIN/COMMIT,
 * Prisma's transaction handling, waiting for a pooled connection). `busyLanes` is how many lanes
 * were inside a transaction on average.
 */
export function perBatch(profile: RelayProfile, wallMs: number) {
  const batches = Math.max(1, profile.claims);
  const other = profile.transactionMs - profile.claimMs - profile.publishMs - profile.markMs;
  return {
    batches: profile.claims,
    claimMs: profile.claimMs / batches,
    publishMs: profile.publishMs / batches,
    markMs: profile.markMs / batches,
    otherMs: Math.max(0, other) / batches,
    busyLanes: wallMs > 0 ? profile.transactionMs / wallMs : 0,
  };
}
