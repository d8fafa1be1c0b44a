import type { Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KafkaAdminConnection } from '../../api/ops/kafka-admin.js';
import {
  consumerLagCollector,
  kafkaConsumerLag,
} from '../../api/ops/metrics/consumer-lag.collector.js';
import { outboxBacklogCollector } from '../../api/ops/metrics/outbox-backlog.collector.js';
import { sagaOutcomesCollector } from '../../api/ops/metrics/saga-outcomes.collector.js';
import type { ScrapeCollector } from '../../api/ops/metrics/scrape-collectors.js';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text.js';

const read = async (registry: Registry, collector: ScrapeCollector) => {
  const publish = await collector.read(new AbortController().signal);
  publish();
  return parsePrometheusText(await registry.metrics());
};

describe('saga outcomes', () => {
  it('counts each saga type by status, with 0 for statuses no row has', async () => {
    const registry = new Registry();
    const collector = sagaOutcomesCollector(registry, async () => [
      { sagaType: 'order', status: 'CONFIRMED', count: 12 },
      { sagaType: 'order', status: 'FAILED', count: 3 },
      { sagaType: 'booking', status: 'EXPIRED', count: 4 },
    ]);
    const samples = await read(registry, collector);
    const count = (saga_type: string, status: string) =>
      samplesOf(samples, 'sagas_by_status', { saga_type, status }).map((s) => s.value);
    expect(count('order', 'CONFIRMED')).toEqual([12]);
    expect(count('order', 'FAILED')).toEqual([3]);
    expect(count('order', 'CANCELLED')).toEqual([0]);
    expect(count('booking', 'EXPIRED')).toEqual([4]);
    expect(count('booking', 'HELD')).toEqual([0]);
    // Six order statuses and five booking statuses, each once.
    expect(samplesOf(samples, 'sagas_by_status')).toHaveLength(11);
  });
});

describe('outbox backlog', () => {
  it('reports the unpublished events and the age of the oldest in seconds', async () => {
    const registry = new Registry();
    const collector = outboxBacklogCollector(
      registry,
      async () => ({ unpublished: 42, oldestOccurredAt: '2026-11-21T10:00:00.000Z' }),
      () => Date.parse('2026-11-21T10:01:30.500Z'),
    );
    const samples = await read(registry, collector);
    expect(samplesOf(samples, 'outbox_unpublished_events')[0]?.value).toBe(42);
    expect(samplesOf(samples, 'outbox_oldest_unpublished_age_seconds')[0]?.value).toBe(90.5);
  });

  it('reports age 0 when nothing waits, and nothing at all once cleared', async () => {
    const registry = new Registry();
    const collector = outboxBacklogCollector(registry, async () => ({
      unpublished: 0,
      oldestOccurredAt: null,
    }));
    const samples = await read(registry, collector);
    expect(samplesOf(samples, 'outbox_oldest_unpublished_age_seconds')[0]?.value).toBe(0);
    collector.clear();
    const cleared = parsePrometheusText(await registry.metrics());
    expect(samplesOf(cleared, 'outbox_unpublished_events')).toEqual([]);
    expect(samplesOf(cleared, 'outbox_oldest_unpublished_age_seconds')).toEqual([]);
  });
});

describe('consumer lag', () => {
  /** A kafkajs admin answering from fixed offsets; only what the lag reader calls. */
  const fakeAdmin = (
    committed: Record<string, Record<string, Record<number, string>>>,
    watermarks: Record<string, { partition: number; low: string; high: string }[]>,
  ): KafkaAdminConnection => {
    const admin = {
      fetchOffsets: async ({ groupId }: { groupId: string }) =>
        Object.entries(committed[groupId] ?? {}).map(([topic, partitions]) => ({
          topic,
          partitions: Object.entries(partitions).map(([partition, offset]) => ({
            partition: Number(partition),
            offset,
            metadata: null,
          })),
        })),
      fetchTopicOffsets: async (topic: string) =>
        (watermarks[topic] ?? []).map((w) => ({ ...w, offset: w.high })),
    } as unknown as Admin;
    return { run: (use) => use(admin), close: async () => {} };
  };

  it('is the high watermark minus the committed offset, per group, topic and partition', async () => {
    const admin = fakeAdmin(
      {
        loyalty: { 'sagas.order': { 0: '90', 1: '-1' } },
        'order-view': { 'sagas.order': { 0: '100', 1: '15' } },
      },
      {
        'sagas.order': [
          { partition: 0, low: '0', high: '100' },
          // Partition 1 kept from offset 10 on (older messages deleted): a group that never committed starts there.
          { partition: 1, low: '10', high: '25' },
        ],
      },
    );
    const lag = await kafkaConsumerLag(admin, ['loyalty', 'order-view'])(
      new AbortController().signal,
    );
    expect(lag).toEqual(
      expect.arrayContaining([
        { group: 'loyalty', topic: 'sagas.order', partition: 0, lag: 10 },
        { group: 'loyalty', topic: 'sagas.order', partition: 1, lag: 15 },
        { group: 'order-view', topic: 'sagas.order', partition: 0, lag: 0 },
        { group: 'order-view', topic: 'sagas.order', partition: 1, lag: 10 },
      ]),
    );
    expect(lag).toHaveLength(4);
  });

  it('publishes one series per partition and replaces them at each read', async () => {
    const registry = new Registry();
    let partitions = [
      { group: 'loyalty', topic: 'sagas.order', partition: 0, lag: 7 },
      { group: 'loyalty', topic: 'sagas.order', partition: 1, lag: 2 },
    ];
    const collector = consumerLagCollector(registry, async () => partitions);
    const first = await read(registry, collector);
    expect(
      samplesOf(first, 'kafka_consumer_group_lag', { group: 'loyalty', partition: '0' })[0]?.value,
    ).toBe(7);
    partitions = [{ group: 'loyalty', topic: 'sagas.order', partition: 0, lag: 1 }];
    const second = await read(registry, collector);
    expect(samplesOf(second, 'kafka_consumer_group_lag')).toEqual([
      {
        name: 'kafka_consumer_group_lag',
        labels: { group: 'loyalty', topic: 'sagas.order', partition: '0' },
        value: 1,
      },
    ]);
  });
});
