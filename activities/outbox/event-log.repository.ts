import type { Db } from '../../prisma/client.js';
import type { OutboxRecord } from './event-publisher.port.js';

/** A published event as the event log serves it. */
export interface LoggedEvent extends OutboxRecord {
  /** Global position in the event log: the order events were published (and committed) in. */
  logSequence: string;
  publishedAt: string;
}

/** An outbox row as SQL returns it (`sequence` as bigint, or as text when cast). */
export interface OutboxRow {
  id: string;
  sequence: bigint | string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  schema_version: number;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  trace_context: string | null;
  occurred_at: Date;
  log_sequence?: bigint | null;
  published_at?: Date | null;
}

// Serialises the numbering of published events across relays until each one commits.
const LOG_SEQUENCE_LOCK = 7_270_736_902n;

export const toOutboxRecord = (row: OutboxRow): OutboxRecord => ({
  id: row.id,
  sequence: row.sequence.toString(),
  aggregateType: row.aggregate_type,
  aggregateId: row.aggregate_id,
  eventType: row.event_type,
  schemaVersion: row.schema_version,
  payload: row.payload,
  correlationId: row.correlation_id,
  traceContext: row.trace_context,
  occurredAt: row.occurred_at.toISOString(),
});

export interface LogPage {
  after: bigint;
  limit: number;
  eventType?: string;
  aggregateType?: string;
  aggregateId?: string;
}

export interface Backlog {
  unpublished: number;
  oldestOccurredAt: string | null;
  lastLogSequence: string | null;
  lastPublishedAt: string | null;
}

/** The relay's side: claim unpublished events, then mark them published and number them. */
export const createOutboxRelayRepository = () => ({
  /**
   * Locks up to `limit` unpublished events, oldest first, skipping rows another relay holds. An
   * event is left out while an earlier event of its aggregate is unpublished and not in this batch
   * (another relay is publishing it), so each aggregate's events reach Kafka in order.
   */
  async claimBatch(tx: Db, limit: number): Promise<OutboxRecord[]> {
    // Only an unpublished event up to the batch's last one that is not in the batch (another relay
    // holds it) can hold a claimed event back, so `blockers` reads just that stretch of the sequence
    // index: the claim costs the same for any backlog. Its lower bound filters nothing; a two-sided
    // range keeps the planner on the index even with statistics from before the backlog built up.
    const rows = await tx.$queryRaw<OutboxRow[]>`
      WITH claimed AS (
        SELECT id, sequence, aggregate_type, aggregate_id, event_type, schema_version, payload,
               correlation_id, trace_context, occurred_at
        FROM outbox_events
        WHERE published_at IS NULL
        ORDER BY sequence
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), blockers AS MATERIALIZED (
        SELECT e.aggregate_type, e.aggregate_id, min(e.sequence) AS before
        FROM outbox_events e
        WHERE e.published_at IS NULL
          AND e.sequence >= (SELECT min(sequence) FROM outbox_events WHERE published_at IS NULL)
          AND e.sequence <= (SELECT max(sequence) FROM claimed)
          AND e.id NOT IN (SELECT id FROM claimed)
        GROUP BY e.aggregate_type, e.aggregate_id
      )
      SELECT c.id::text, c.sequence, c.aggregate_type, c.aggregate_id, c.event_type, c.schema_version,
             c.payload, c.correlation_id, c.trace_context, c.occurred_at
      FROM claimed c
      LEFT JOIN blockers b ON b.aggregate_type = c.aggregate_type AND b.aggregate_id = c.aggregate_id
      WHERE b.before IS NULL OR c.sequence < b.before
      ORDER BY c.sequence`;
    return rows.map(toOutboxRecord);
  },

  /** Marks claimed events published and numbers them in the log; the lock is held until commit. */
  async recordPublished(tx: Db, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOG_SEQUENCE_LOCK})`;
    // The second `= ANY` lets the planner fetch the rows by primary key; with only the join it may
    // scan the whole event log.
    await tx.$executeRaw`
      UPDATE outbox_events o
      SET published_at = clock_timestamp(), log_sequence = numbered.log_sequence
      FROM (
        SELECT id, nextval('event_log_sequence') AS log_sequence
        FROM (SELECT id FROM outbox_events WHERE id = ANY(${ids}::uuid[]) ORDER BY sequence) ordered
      ) numbered
      WHERE o.id = numbered.id AND o.id = ANY(${ids}::uuid[])`;
  },
});

/** The log's side: pages of published events, the backlog, retention. */
export const createEventLogReadRepository = () => ({
  async readLog(db: Db, page: LogPage): Promise<LoggedEvent[]> {
    const rows = await db.$queryRaw<OutboxRow[]>`
      SELECT id::text, sequence, aggregate_type, aggregate_id, event_type, schema_version, payload,
             correlation_id, trace_context, occurred_at, log_sequence, published_at
      FROM outbox_events
      WHERE log_sequence > ${page.after}
        AND (${page.eventType ?? null}::text IS NULL OR event_type = ${page.eventType ?? null})
        AND (${page.aggregateType ?? null}::text IS NULL OR aggregate_type = ${page.aggregateType ?? null})
        AND (${page.aggregateId ?? null}::text IS NULL OR aggregate_id = ${page.aggregateId ?? null})
      ORDER BY log_sequence
      LIMIT ${page.limit}`;
    return rows.map((row) => ({
      ...toOutboxRecord(row),
      logSequence: row.log_sequence!.toString(),
      publishedAt: row.published_at!.toISOString(),
    }));
  },

  async backlog(db: Db): Promise<Backlog> {
    const [pending] = await db.$queryRaw<{ unpublished: bigint; oldest: Date | null }[]>`
      SELECT count(*) AS unpublished, min(occurred_at) AS oldest
      FROM outbox_events WHERE published_at IS NULL`;
    const [last] = await db.$queryRaw<{ log_sequence: bigint; published_at: Date }[]>`
      SELECT log_sequence, published_at FROM outbox_events
      WHERE log_sequence IS NOT NULL ORDER BY log_sequence DESC LIMIT 1`;
    return {
      unpublished: Number(pending?.unpublished ?? 0),
      oldestOccurredAt: pending?.oldest?.toISOString() ?? null,
      lastLogSequence: last?.log_sequence.toString() ?? null,
      lastPublishedAt: last?.published_at.toISOString() ?? null,
    };
  },

  /** Retention: published events older than `cutoff` leave the log. Unpublished ones always stay. */
  async deletePublishedBefore(db: Db, cutoff: Date): Promise<number> {
    return db.$executeRaw`
      DELETE FROM outbox_events WHERE published_at IS NOT NULL AND published_at < ${cutoff}`;
  },
});

/** Both sides: what the relay activities use. */
export const createOutboxLogRepository = () => ({
  ...createOutboxRelayRepository(),
  ...createEventLogReadRepository(),
});

export type OutboxLogRepository = ReturnType<typeof createOutboxLogRepository>;
