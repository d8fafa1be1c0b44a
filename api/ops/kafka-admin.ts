import type { Admin } from 'kafkajs';
import { createKafka } from '../../activities/outbox/kafka.client.js';

/** One kafkajs admin client, connected on first use and replaced after any failure. */
export interface KafkaAdminConnection {
  /**
   * Runs `use` on the connected client. A failure, or the signal aborting (a request that hangs),
   * drops the connection: the next call starts a new one, since kafkajs does not always recover a
   * broken connection.
   */
  run<T>(use: (admin: Admin) => Promise<T>, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

export function createKafkaAdminConnection(
  brokers: string[],
  clientId: string,
): KafkaAdminConnection {
  const kafka = createKafka(brokers, clientId);
  let admin: Promise<Admin> | undefined;

  const connect = async (): Promise<Admin> => {
    // No retries inside kafkajs: the caller's next call is the retry.
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
    async run(use, signal) {
      // Concurrent calls share one connection attempt instead of each opening their own.
      const current = (admin ??= connect());
      const onAbort = () => void reset(current);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await use(await current);
      } catch (error) {
        await reset(current);
        throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      if (admin) await reset(admin);
    },
  };
}
