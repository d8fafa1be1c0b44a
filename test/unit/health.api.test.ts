import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { HealthCheck } from '../../api/ops/health.checks.js';
import type { OrderCommands } from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';

const unused = () => {
  throw new Error('not used by these routes');
};

type Behaviour = 'up' | Error | 'hang';

/** A check that answers, fails with the given error, or never answers (recording its abort). */
function fakeCheck(name: string, critical: boolean, behaviour: Behaviour, aborted: string[] = []) {
  const check: HealthCheck = {
    name,
    critical,
    async check(signal) {
      if (behaviour === 'up') return;
      if (behaviour === 'hang') {
        signal.addEventListener('abort', () => aborted.push(name));
        return new Promise<void>(() => {});
      }
      throw behaviour;
    },
  };
  return check;
}

function apiWith(
  behaviours: Partial<Record<'postgres' | 'temporal' | 'kafka' | 'redis', Behaviour>> = {},
  timeoutMs = 1_000,
) {
  const aborted: string[] = [];
  const checks = [
    fakeCheck('postgres', true, behaviours.postgres ?? 'up', aborted),
    fakeCheck('temporal', true, behaviours.temporal ?? 'up', aborted),
    fakeCheck('kafka', false, behaviours.kafka ?? 'up', aborted),
    fakeCheck('redis', false, behaviours.redis ?? 'up', aborted),
  ];
  const app = createApp({
    orderCommands: unused as unknown as OrderCommands,
    orderQueries: unused as unknown as OrderQueries,
    health: { checks, timeoutMs },
  });
  return { app, aborted };
}

interface ReadyBody {
  status: string;
  checks: Record<string, { status: string; latencyMs: number; error?: string }>;
}

async function ready(app: ReturnType<typeof apiWith>['app']) {
  const response = await app.request('/health/ready');
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

describe('GET /health/ready', () => {
  it('is 200 ready when every dependency is up', async () => {
    const { status, body } = await ready(apiWith().app);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres', 'redis', 'temporal']);
    for (const check of Object.values(body.checks)) {
      expect(check).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    }
  });

  it('is 200 degraded when Redis is down (reads fall back to Postgres), naming Redis', async () => {
    const { status, body } = await ready(
      apiWith({ redis: new Error('Connection is closed.') }).app,
    );
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks.redis).toMatchObject({ status: 'down', error: 'Connection is closed.' });
    expect(body.checks.postgres?.status).toBe('up');
  });

  it('is 200 degraded when Kafka is down (events wait in the outbox)', async () => {
    const { status, body } = await ready(
      apiWith({ kafka: new Error('connect ECONNREFUSED 127.0.0.1:9092') }).app,
    );
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks.kafka).toMatchObject({
      status: 'down',
      error: 'connect ECONNREFUSED 127.0.0.1:9092',
    });
  });

  it('is 503 unready when Postgres is down, naming it with its error', async () => {
    const { status, body } = await ready(
      apiWith({
        postgres: new Error('connect ECONNREFUSED 127.0.0.1:5432'),
        redis: new Error('Connection is closed.'),
      }).app,
    );
    expect(status).toBe(503);
    expect(body.status).toBe('unready');
    expect(body.checks.postgres).toEqual({
      status: 'down',
      latencyMs: expect.any(Number),
      error: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
    expect(body.checks.temporal?.status).toBe('up');
    expect(body.checks.redis?.status).toBe('down');
  });

  it('is 503 unready when Temporal is down', async () => {
    const { status, body } = await ready(
      apiWith({ temporal: new Error('14 UNAVAILABLE: No connection established') }).app,
    );
    expect(status).toBe(503);
    expect(body.checks.temporal).toMatchObject({
      status: 'down',
      error: '14 UNAVAILABLE: No connection established',
    });
  });

  it('counts a check that does not answer in time as down, and aborts it', async () => {
    const { app, aborted } = apiWith({ temporal: 'hang' }, 50);
    const { status, body } = await ready(app);
    expect(status).toBe(503);
    expect(body.checks.temporal).toMatchObject({
      status: 'down',
      error: 'no answer within 50 ms',
    });
    expect(body.checks.postgres?.status).toBe('up');
    expect(aborted).toEqual(['temporal']);
  });

  it('puts a multi-line error message on one line', async () => {
    const { body } = await ready(
      apiWith({ postgres: new Error('\nInvalid `prisma.$queryRaw()` invocation:\n\n\nbroken') })
        .app,
    );
    expect(body.checks.postgres?.error).toBe('Invalid `prisma.$queryRaw()` invocation: broken');
  });
});

describe('GET /health/live', () => {
  it('is 200 ok even while every dependency is down', async () => {
    const down = new Error('down');
    const { app } = apiWith({ postgres: down, temporal: down, kafka: down, redis: down });
    const response = await app.request('/health/live');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('/openapi.json', () => {
  it('documents both endpoints, the 503 and why Kafka only degrades', async () => {
    const spec = (await (await apiWith().app.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: { description?: string; responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(spec.paths['/health/live']?.get?.responses ?? {})).toEqual(['200']);
    const readiness = spec.paths['/health/ready']?.get;
    expect(Object.keys(readiness?.responses ?? {}).sort()).toEqual(['200', '503']);
    expect(readiness?.description).toMatch(/Kafka down → 200 `degraded`/);
    expect(readiness?.description).toMatch(/outbox/);
  });

  it('leaves the health routes out when no checks are given', async () => {
    const app = createApp({
      orderCommands: unused as unknown as OrderCommands,
      orderQueries: unused as unknown as OrderQueries,
    });
    expect((await app.request('/health/ready')).status).toBe(404);
  });
});
