import type { Connection } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import { createKafka } from '../activities/outbox/kafka.publisher.js';
import type { PrismaClient } from '../prisma/client.js';

/** One dependency the API needs. */
export interface HealthCheck {
  name: string;
  /** Down means the API cannot do its job (not ready); otherwise it only runs degraded. */
  critical: boolean;
  /** Resolves when the dependency answers. The signal aborts once the check has timed out. */
  check(signal: AbortSignal): Promise<void>;
}

export type CheckResult =
  { status: 'up'; latencyMs: number } | { status: 'down'; latencyMs: number; error: string };

export interface HealthReport {
  status: 'ready' | 'degraded' | 'unready';
  checks: Record<string, CheckResult>;
}

/** Runs every check at once, each bounded by the timeout; a check that times out is down. */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  timeoutMs: number,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (check) => ({ check, result: await runOne(check, timeoutMs) })),
  );
  const down = results.filter(({ result }) => result.status === 'down');
  return {
    status: down.some(({ check }) => check.critical)
      ? 'unready'
      : down.length > 0
        ? 'degraded'
        : 'ready',
    checks: Object.fromEntries(results.map(({ check, result }) => [check.name, result])),
  };
}

async function runOne(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    // A check that throws synchronously is down too, not a failed request.
    await Promise.race([Promise.resolve().then(() => check.check(abort.signal)), timedOut]);
    return { status: 'up', latencyMs: latencyMs() };
  } catch (error) {
    return { status: 'down', latencyMs: latencyMs(), error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Prisma and gRPC spread their messages over several lines; a health body wants one.
  return message.replace(/\s+/g, ' ').trim() || (error instanceof Error ? error.name : 'unknown');
}

export function postgresCheck(prisma: Pick<PrismaClient, '$queryRaw'>): HealthCheck {
  return {
    name: 'postgres',
    critical: true,
    async check() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}

export function temporalCheck(
  connection: Pick<Connection, 'workflowService' | 'withAbortSignal'>,
): HealthCheck {
  return {
    name: 'temporal',
    critical: true,
    async check(signal) {
      // Cancelled on timeout, so the SDK stops retrying a server that does not answer.
      await connection.withAbortSignal(signal, () => connection.workflowService.getSystemInfo({}));
    },
  };
}

/**
 * Kafka is not critical: commands still succeed while it is down (events wait in the outbox).
 * One admin client stays connected between checks; after a failure the next check starts a new
 * one, since kafkajs does not always recover a broken connection.
 */
export function kafkaCheck(
  brokers: string[],
  clientId: string,
): HealthCheck & { close(): Promise<void> } {
  const kafka = createKafka(brokers, clientId);
  let admin: Promise<Admin> | undefined;

  const connect = async (): Promise<Admin> => {
    // No retries inside kafkajs: the next probe is the retry.
    const fresh = kafka.admin({ retry: { retries: 0 } });
    try {
      await fresh.connect();
      return fresh;
    } catch (error) {
      await fresh.disconnect().catch(() => {});
      throw error;
    }
  };

  const reset = async (broken: Promise<Admin>) => {
    if (admin === broken) admin = undefined;
    await broken.then((client) => client.disconnect()).catch(() => {});
  };

  return {
    name: 'kafka',
    critical: false,
    async check() {
      // Concurrent probes share one connection attempt instead of each opening their own.
      const current = (admin ??= connect());
      try {
        await (await current).describeCluster();
      } catch (error) {
        await reset(current);
        throw error;
      }
    },
    async close() {
      if (admin) await reset(admin);
    },
  };
}

/** Redis is not critical: reads fall back to Postgres while it is down. */
export function redisCheck(redis: Pick<Redis, 'ping'>): HealthCheck {
  return {
    name: 'redis',
    critical: false,
    async check() {
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
    },
  };
}
