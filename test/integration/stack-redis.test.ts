import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';

describe('Redis', () => {
  // Fail fast instead of retrying forever when Redis is down.
  const redis = new Redis(inject('stackEnv').REDIS_URL!, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The socket's own error (e.g. ECONNREFUSED) says more than connect()'s "Connection is closed".
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => (socketError ??= error));

  afterAll(async () => {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  });

  it('answers PING', async () => {
    await redis.connect().catch((error: unknown) => {
      throw socketError ?? error;
    });
    expect(await redis.ping()).toBe('PONG');
  });
});
