import pg from 'pg';
import type { Logger } from 'pino';

export const OUTBOX_CHANNEL = 'outbox_events';

/** Resolves when an outbox insert commits (Postgres NOTIFY), or after `timeoutMs` regardless. */
export interface OutboxWakeups {
  next(timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * LISTENs on its own connection and reconnects when it drops; meanwhile the relay's polling
 * interval still finds new events, only later.
 */
export function listenForOutboxCommits(
  databaseUrl: string,
  logger: Pick<Logger, 'warn'>,
): OutboxWakeups {
  let pending = false;
  let wake: (() => void) | undefined;
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const notified = () => {
    pending = true;
    wake?.();
  };

  const connect = async () => {
    if (closed) return;
    const fresh = new pg.Client({ connectionString: databaseUrl });
    fresh.on('notification', notified);
    fresh.on('error', () => reconnect(fresh));
    fresh.on('end', () => reconnect(fresh));
    try {
      await fresh.connect();
      await fresh.query(`LISTEN ${OUTBOX_CHANNEL}`);
      client = fresh;
      // Something may have committed while nobody listened.
      notified();
    } catch (error) {
      logger.warn({ err: error }, 'outbox LISTEN failed; polling until it reconnects');
      reconnect(fresh);
    }
  };

  const reconnect = (broken: pg.Client) => {
    if (client === broken) client = undefined;
    broken.removeAllListeners();
    broken.on('error', () => {});
    void broken.end().catch(() => {});
    if (!closed && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, 1_000);
    }
  };

  void connect();

  return {
    next(timeoutMs, signal) {
      if (pending || signal.aborted) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal.addEventListener('abort', done);
        wake = done;
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      wake?.();
      await client?.end().catch(() => {});
    },
  };
}
