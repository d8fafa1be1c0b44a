import { Connection } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCacheRedis } from '../../activities/bookings/event.cache.js';
import { createApp } from '../../api/app.js';
import {
  kafkaCheck,
  postgresCheck,
  redisCheck,
  temporalCheck,
  type HealthCheck,
} from '../../api/ops/health.checks.js';
import type { OrderCommands } from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import { freePort } from '../support/harness.js';
import { startRedisServer } from '../support/redis-server.js';
import { waitUntil } from '../support/integration-helpers.js';

const env = inject('stackEnv');

// Generous: these tests are about what each check reports, not how fast.
const TIMEOUT_MS = 5_000;

const unused = () => {
  throw new Error('not used by these routes');
};

interface ReadyBody {
  status: string;
  checks: Record<string, { status: string; error?: string }>;
}

async function readiness(checks: HealthCheck[]) {
  const app = createApp({
    orderCommands: unused as unknown as OrderCommands,
    orderQueries: unused as unknown as OrderQueries,
    health: { checks, timeoutMs: TIMEOUT_MS },
  });
  const response = await app.request('/health/ready');
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

/** The cache client, once its first connection is made (before that a PING fails on purpose). */
async function connectedCacheRedis(url: string): Promise<Redis> {
  const redis = createCacheRedis(url);
  await waitUntil(`redis at ${url}`, async () => (redis.status === 'ready' ? true : undefined));
  return redis;
}

describe('GET /health/ready against the real stack', () => {
  let prisma: PrismaClient;
  let connection: Connection;
  let redis: Redis;
  const kafka = kafkaCheck(env.KAFKA_BROKERS!.split(','), 'health-test');
  const closers: (() => Promise<unknown> | void)[] = [];

  beforeAll(async () => {
    prisma = createPrismaClient({ url: env.DATABASE_URL!, poolMax: 2 });
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    redis = await connectedCacheRedis(env.REDIS_URL!);
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await kafka.close();
    redis?.disconnect();
    await connection?.close();
    await prisma?.$disconnect();
  });

  const realChecks = () => [
    postgresCheck(prisma),
    temporalCheck(connection),
    kafka,
    redisCheck(redis),
  ];

  it('is ready when Postgres, Temporal, Kafka and Redis all answer (and stays so on the same Kafka admin)', async () => {
    for (let probe = 0; probe < 2; probe++) {
      const { status, body } = await readiness(realChecks());
      expect(body.checks).toEqual({
        postgres: { status: 'up', latencyMs: expect.any(Number) },
        temporal: { status: 'up', latencyMs: expect.any(Number) },
        kafka: { status: 'up', latencyMs: expect.any(Number) },
        redis: { status: 'up', latencyMs: expect.any(Number) },
      });
      expect({ status, ready: body.status }).toEqual({ status: 200, ready: 'ready' });
    }
  });

  it('is degraded (still 200) when Redis does not answer', async () => {
    const deadRedis = createCacheRedis(`redis://127.0.0.1:${await freePort()}`);
    closers.push(() => deadRedis.disconnect());
    const checks = realChecks();
    checks[3] = redisCheck(deadRedis);

    const { status, body } = await readiness(checks);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks.redis).toMatchObject({ status: 'down', error: expect.any(String) });
    expect(body.checks.postgres?.status).toBe('up');
  });

  it('follows the cache client: down while its Redis is stopped, up again once it is back', async () => {
    const server = await startRedisServer();
    closers.push(server.stop);
    const cache = await connectedCacheRedis(server.url);
    closers.push(() => cache.disconnect());
    const check = redisCheck(cache);
    const redisStatus = async () => (await readiness([check])).body.checks.redis?.status;

    expect(await redisStatus()).toBe('up');
    await server.stop();
    expect(await redisStatus()).toBe('down');
    await server.start();
    await waitUntil('the cache client to reconnect', async () =>
      (await redisStatus()) === 'up' ? true : undefined,
    );
  });

  it('is degraded (still 200) when Kafka does not answer', async () => {
    const deadKafka = kafkaCheck([`127.0.0.1:${await freePort()}`], 'health-test-dead');
    closers.push(() => deadKafka.close());
    const checks = realChecks();
    checks[2] = deadKafka;

    const { status, body } = await readiness(checks);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks.kafka).toMatchObject({ status: 'down', error: expect.any(String) });
  });

  it('is unready (503) when Postgres does not answer, naming it with its error', async () => {
    const deadUrl = new URL(env.DATABASE_URL!);
    deadUrl.port = String(await freePort());
    const deadPrisma = createPrismaClient({ url: deadUrl.toString(), poolMax: 1 });
    closers.push(() => deadPrisma.$disconnect());
    const checks = realChecks();
    checks[0] = postgresCheck(deadPrisma);

    const { status, body } = await readiness(checks);
    expect(status).toBe(503);
    expect(body.status).toBe('unready');
    expect(body.checks.postgres).toMatchObject({
      status: 'down',
      error: expect.stringContaining(`Can't reach database server at 127.0.0.1:${deadUrl.port}`),
    });
    expect(body.checks.temporal?.status).toBe('up');
  });
});
