import { Gauge, type Registry } from 'prom-client';
import type { KafkaAdminConnection } from '../kafka-admin.js';
import type { ScrapeCollector } from './scrape-collectors.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** Messages in the partition the group has not committed past. */
  lag: number;
}

/** What each consumer group still has to read, per topic and partition, as Kafka reports it. */
export function consumerLagCollector(
  registry: Registry,
  readLag: (signal: AbortSignal) => Promise<PartitionLag[]>,
): ScrapeCollector {
  const lag = new Gauge({
    name: 'kafka_consumer_group_lag',
    help: "Messages a consumer group has yet to process: the partition's high watermark minus the group's committed offset",
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
  });
  return {
    name: 'consumer_lag',
    async read(signal) {
      const partitions = await readLag(signal);
      return () => {
        lag.reset();
        for (const { group, topic, partition, lag: behind } of partitions) {
          lag.set({ group, topic, partition: String(partition) }, behind);
        }
      };
    },
    clear: () => lag.reset(),
  };
}

// kafkajs reports "no committed offset" as -1.
const NO_OFFSET = -1;

/**
 * Lag of each group on every topic it has committed offsets for. A partition the group has not
 * committed on yet counts from its earliest retained message, where a new group starts reading.
 */
export function kafkaConsumerLag(admin: KafkaAdminConnection, groups: readonly string[]) {
  return (signal: AbortSignal): Promise<PartitionLag[]> =>
    admin.run(async (client) => {
      const committed = await Promise.all(
        groups.map(async (group) => ({
          group,
          topics: await client.fetchOffsets({ groupId: group }),
        })),
      );
      const topicNames = [
        ...new Set(committed.flatMap(({ topics }) => topics.map((t) => t.topic))),
      ];
      const watermarks = new Map(
        await Promise.all(
          topicNames.map(async (topic) => [topic, await client.fetchTopicOffsets(topic)] as const),
        ),
      );
      return committed.flatMap(({ group, topics }) =>
        topics.flatMap(({ topic, partitions }) => {
          const offsets = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
          return (watermarks.get(topic) ?? []).map(({ partition, high, low }) => {
            const offset = offsets.get(partition) ?? NO_OFFSET;
            const from = offset === NO_OFFSET ? Number(low) : offset;
            return { group, topic, partition, lag: Math.max(0, Number(high) - from) };
          });
        }),
      );
    }, signal);
}
