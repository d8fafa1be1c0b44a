import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventRecord } from './booking.repository.js';

export type CachedRead =
  { kind: 'hit'; event: EventRecord } | { kind: 'miss' } | { kind: 'unavailable' };

/**
 * A read cache of events and their availability. It never throws: while the cache server is
 * unreachable, reads answer `unavailable` and writes are skipped, so callers fall back to Postgres.
 */
export interface EventCache {
  get(eventId: string): Promise<CachedRead>;
  /** Stores the event unless the cache already holds a newer version of it. False if it could not. */
  put(event: EventRecord): Promise<boolean>;
}

const key = (eventId: string) => `durable-sagas:event:${eventId}`;

// Compare-and-set on the version, so a reader that loaded a row just before a seat change can never
// overwrite the newer copy the change wrote.
const PUT_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'event', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** A Redis connection for caching: fails fast instead of queueing commands while Redis is down. */
export function createCacheRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 500,
    // Keep reconnecting (at most every 2 s), so the cache resumes by itself when Redis is back.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', () => {}); // reported by the cache as it falls back, once per outage
  return redis;
}

export function createRedisEventCache({
  redis,
  ttlMs,
  logger,
}: {
  redis: Redis;
  ttlMs: number;
  logger: Pick<Logger, 'warn' | 'info'>;
}): EventCache {
  let down = false;
  const fellBack = (error: unknown) => {
    // While the very first connection is still being made, a command fails without Redis being down.
    if (redis.status === 'connecting' && !down) return;
    if (!down) logger.warn({ err: error }, 'event cache unavailable; serving from Postgres');
    down = true;
  };
  const recovered = () => {
    if (down) logger.info('event cache available again');
    down = false;
  };
  return {
    async get(eventId) {
      try {
        const cached = await redis.hget(key(eventId), 'event');
        recovered();
        return cached
          ? { kind: 'hit', event: JSON.parse(cached) as EventRecord }
          : { kind: 'miss' };
      } catch (error) {
        fellBack(error);
        return { kind: 'unavailable' };
      }
    },
    async put(event) {
      try {
        await redis.eval(
          PUT_IF_NEWER,
          1,
          key(event.id),
          event.version,
          JSON.stringify(event),
          ttlMs,
        );
        recovered();
        return true;
      } catch (error) {
        fellBack(error);
        return false;
      }
    },
  };
}

/** For processes without a cache: every read misses. */
export const noEventCache: EventCache = {
  get: async () => ({ kind: 'miss' }),
  put: async () => true,
};
