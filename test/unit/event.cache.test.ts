import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../activities/bookings/booking.repository.js';
import {
  createCacheRedis,
  createRedisEventCache,
  type CachedRead,
  type EventCache,
} from '../../activities/bookings/event.cache.js';
import { holds, pollUntil } from '../support/polling.js';
import { startRedisServer } from '../support/redis-server.js';

const event = (overrides: Partial<EventRecord> = {}): EventRecord => ({
  id: randomUUID(),
  title: 'Temporal Meetup',
  startsAt: '2027-01-31T19:00:00.000Z',
  priceCents: 2_500,
  totalSeats: 100,
  availableSeats: 40,
  version: 1,
  ...overrides,
});

type LogCall = { level: 'warn' | 'info'; args: unknown[] };

describe('Redis event cache against a real redis-server', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let redis: Redis;
  let cache: EventCache;
  const logged: LogCall[] = [];
  const logger = {
    warn: (...args: unknown[]) => void logged.push({ level: 'warn', args }),
    info: (...args: unknown[]) => void logged.push({ level: 'info', args }),
  };
  const warnings = () => logged.filter((call) => call.level === 'warn');
  const infos = () => logged.filter((call) => call.level === 'info');

  beforeAll(async () => {
    server = await startRedisServer();
    redis = createCacheRedis(server.url);
    // Without an offline queue, a command sent before the connection is ready fails at once.
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    cache = createRedisEventCache({ redis, ttlMs: 60_000, logger });
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('misses an event it does not hold, then hits it once put', async () => {
    const stored = event();
    expect(await cache.get(stored.id)).toEqual({ kind: 'miss' });
    expect(await cache.put(stored)).toBe(true);
    expect(await cache.get(stored.id)).toEqual({ kind: 'hit', event: stored });
    expect(await cache.get(randomUUID())).toEqual({ kind: 'miss' });
  });

  it('keeps a newer version when an older (or the same) version is put, and takes a newer one', async () => {
    const v5 = event({ version: 5, availableSeats: 30 });
    await cache.put(v5);

    await cache.put({ ...v5, version: 4, availableSeats: 31 });
    expect(await cache.get(v5.id)).toEqual({ kind: 'hit', event: v5 });

    await cache.put({ ...v5, availableSeats: 99 });
    expect(await cache.get(v5.id)).toEqual({ kind: 'hit', event: v5 });

    const v6 = { ...v5, version: 6, availableSeats: 28 };
    expect(await cache.put(v6)).toBe(true);
    expect(await cache.get(v5.id)).toEqual({ kind: 'hit', event: v6 });
  });

  it('compares versions as numbers, not strings', async () => {
    const v9 = event({ version: 9, availableSeats: 12 });
    await cache.put(v9);
    const v10 = { ...v9, version: 10, availableSeats: 11 };
    await cache.put(v10);
    expect(await cache.get(v9.id)).toEqual({ kind: 'hit', event: v10 });
  });

  it('lets an entry expire after its TTL', async () => {
    const shortLived = createRedisEventCache({ redis, ttlMs: 1_000, logger });
    const expiring = event();
    const lasting = event();
    await shortLived.put(expiring);
    await cache.put(lasting);
    expect(await shortLived.get(expiring.id)).toEqual({ kind: 'hit', event: expiring });
    await pollUntil(
      'the short-lived entry expiring',
      holds(async () => (await shortLived.get(expiring.id)).kind === 'miss'),
      { timeoutMs: 10_000 },
    );
    expect(await cache.get(lasting.id)).toEqual({ kind: 'hit', event: lasting });
  });

  it('has logged nothing while Redis was up', () => {
    expect(logged).toEqual([]);
  });

  it('while Redis is down, reads answer unavailable and writes false, warning once', async () => {
    const known = event();
    await cache.put(known);
    await server?.stop();

    const reads: CachedRead[] = [];
    for (let i = 0; i < 3; i++) reads.push(await cache.get(known.id));
    expect(reads).toEqual([
      { kind: 'unavailable' },
      { kind: 'unavailable' },
      { kind: 'unavailable' },
    ]);
    expect(await cache.put(event())).toBe(false);
    expect(await cache.put(known)).toBe(false);

    expect(warnings()).toHaveLength(1);
    expect(String(warnings()[0]!.args.at(-1))).toMatch(/unavailable/);
    expect(infos()).toEqual([]);
  });

  it('works again once Redis is back on the same port, logging that it is available again', async () => {
    await server.start();
    await pollUntil(
      'the cache answering again',
      holds(async () => (await cache.get(randomUUID())).kind !== 'unavailable'),
      { timeoutMs: 15_000 },
    );

    const fresh = event();
    expect(await cache.get(fresh.id)).toEqual({ kind: 'miss' });
    expect(await cache.put(fresh)).toBe(true);
    expect(await cache.get(fresh.id)).toEqual({ kind: 'hit', event: fresh });

    expect(infos()).toHaveLength(1);
    expect(String(infos()[0]!.args.at(-1))).toMatch(/available again/);
    expect(warnings()).toHaveLength(1);
  });

  it('warns again, once, for a second outage', async () => {
    await server?.stop();
    expect(await cache.get(randomUUID())).toEqual({ kind: 'unavailable' });
    expect(await cache.put(event())).toBe(false);
    expect(await cache.get(randomUUID())).toEqual({ kind: 'unavailable' });
    expect(warnings()).toHaveLength(2);
    expect(infos()).toHaveLength(1);
  });
});
