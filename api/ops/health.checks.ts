import type { Connection } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../../prisma/client.js';
import { createKafkaAdminConnection } from './kafka-admin.js';
import { withTimeLimit } from '../http/time-limit.js';

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
  try {
    await withTimeLimit((signal) => check.check(signal), timeoutMs);
    return { status: 'up', latencyMs: latencyMs() };
  } catch (error) {
    return { status: 'down', latencyMs: latencyMs(), error: errorMessage(error) };
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
 * One admin client stays connected between checks; a failed or timed-out check drops it.
 */
export function kafkaCheck(
  brokers: string[],
  clientId: string,
): HealthCheck & { close(): Promise<void> } {
  const admin = createKafkaAdminConnection(brokers, clientId);
  return {
    name: 'kafka',
    critical: false,
    async check(signal) {
      await admin.run((client) => client.describeCluster(), signal);
    },
    close: () => admin.close(),
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
