import type { PrismaClient } from '../../prisma/client.js';
import type { EventPublisher } from './event-publisher.port.js';
import type { OutboxLogRepository } from './event-log.repository.js';

export interface OutboxRelayDeps {
  prisma: PrismaClient;
  publisher: EventPublisher;
  log: OutboxLogRepository;
  batchSize: number;
  /** Batches in flight at once. */
  concurrency: number;
}

export interface OutboxRelay {
  /** Publishes until nothing is left to claim; returns how many events went out. */
  drain(): Promise<number>;
}

/**
 * Claim → publish → number and mark, in one transaction per batch: rows stay locked (other relays
 * skip them) while Kafka acknowledges, and if publishing or the commit fails they stay unpublished
 * and go out again later. At least once; consumers drop the duplicates by event id.
 */
export function createOutboxRelay({
  prisma,
  publisher,
  log,
  batchSize,
  concurrency,
}: OutboxRelayDeps): OutboxRelay {
  const publishBatch = () =>
    prisma.$transaction(
      async (tx) => {
        const batch = await log.claimBatch(tx, batchSize);
        if (batch.length === 0) return 0;
        await publisher.publish(batch);
        await log.recordPublished(
          tx,
          batch.map((event) => event.id),
        );
        return batch.length;
      },
      { maxWait: 30_000, timeout: 60_000 },
    );

  return {
    async drain() {
      let published = 0;
      const lane = async () => {
        for (;;) {
          const count = await publishBatch();
          published += count;
          if (count === 0) return;
        }
      };
      const lanes = await Promise.allSettled(Array.from({ length: concurrency }, lane));
      const failed = lanes.find(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      if (failed) throw failed.reason;
      return published;
    },
  };
}
