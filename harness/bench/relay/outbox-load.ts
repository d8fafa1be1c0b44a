import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { toOutboxRecord, type OutboxRow } from '../../../activities/outbox/event-log.repository.js';
import type { OutboxRecord } from '../../../activities/outbox/event-publisher.port.js';
import type { AggregateType } from '../../../activities/outbox/event-catalogue.js';

/**
 * Outbox rows for the relay bench. Every phase writes aggregates named `<phase>-<n>`, so its rows,
 * and only those, are found again by that prefix.
 */

export interface PrefillShape {
  /** Events written. */
  events: number;
  /** Events per aggregate (the last aggregates may get fewer). */
  perAggregate: number;
  /**
   * Aggregates whose events interleave, as sagas running at the same time do: each wave of this many
   * aggregates writes its events step by step before the next wave starts.
   */
  inFlight: number;
}

const ROWS_PER_STATEMENT = 50_000;

/**
 * Writes `events` rows in a few INSERT … SELECT generate_series statements: order and booking
 * aggregates alternate, each with `perAggregate` events in step order, payloads ~200 bytes.
 */
export async function prefillOutbox(
  db: pg.Pool,
  phase: string,
  { events, perAggregate, inFlight }: PrefillShape,
): Promise<void> {
  const wave = inFlight * perAggregate;
  for (let from = 0; from < events; from += ROWS_PER_STATEMENT) {
    const to = Math.min(events, from + ROWS_PER_STATEMENT) - 1;
    await db.query(
      `INSERT INTO outbox_events (id, aggregate_type, aggregate_id, event_type, payload, correlation_id)
       SELECT gen_random_uuid(), kind, aggregate_id, event_type,
              jsonb_build_object(
                'id', aggregate_id,
                'customerId', 'customer-' || lpad((a % 9973)::text, 5, '0'),
                'items', jsonb_build_array(jsonb_build_object(
                  'sku', 'SKU-' || lpad((i % 997)::text, 4, '0'),
                  'quantity', 1 + i % 3,
                  'unitPriceCents', 500 + (i % 50) * 100)),
                'totalCents', (1 + i % 3) * (500 + (i % 50) * 100),
                'step', step,
                'reason', NULL),
              kind || ':' || aggregate_id
       FROM generate_series($2::bigint, $3::bigint) AS i,
            LATERAL (SELECT (i / $4) * $5 + i % $5 AS a, (i % $4) / $5 AS step) AS position,
            LATERAL (SELECT CASE WHEN a % 2 = 0 THEN 'order' ELSE 'booking' END AS kind,
                            $1 || '-' || lpad(a::text, 7, '0') AS aggregate_id) AS aggregate,
            LATERAL (SELECT (CASE WHEN kind = 'order'
                               THEN ARRAY['OrderPlaced', 'InventoryReserved', 'PaymentCharged', 'OrderConfirmed', 'OrderShipped']
                               ELSE ARRAY['SeatsHeld', 'PaymentCharged', 'BookingConfirmed', 'TicketIssued', 'BookingReminded']
                             END)[1 + step % 5] AS event_type) AS kind_of_event
       ORDER BY i`,
      [phase, from, to, wave, inFlight],
    );
  }
}

/**
 * An event log that has been running a while: `events` published rows (aggregates `log-<n>`), so
 * the table's size and statistics are a live system's rather than a fresh database's.
 */
export async function prefillPublishedLog(db: pg.Pool, events: number): Promise<void> {
  await prefillOutbox(db, 'log', { events, perAggregate: 10, inFlight: 250 });
  await db.query(
    `UPDATE outbox_events SET published_at = occurred_at, log_sequence = nextval('event_log_sequence')
     WHERE aggregate_id LIKE 'log-%' AND published_at IS NULL`,
  );
}

/** A phase's rows as the relay would publish them, in outbox order. */
export async function readOutboxRecords(db: pg.Pool, phase: string): Promise<OutboxRecord[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT id::text, sequence::text, aggregate_type, aggregate_id, event_type, schema_version,
            payload, correlation_id, trace_context, occurred_at
     FROM outbox_events WHERE aggregate_id LIKE $1 || '-%' ORDER BY sequence`,
    [phase],
  );
  return rows.map(toOutboxRecord);
}

/** Event id → outbox sequence, for a phase's rows. */
export async function sequencesOf(db: pg.Pool, phase: string): Promise<Map<string, bigint>> {
  const { rows } = await db.query<{ id: string; sequence: string }>(
    `SELECT id::text, sequence::text FROM outbox_events WHERE aggregate_id LIKE $1 || '-%'`,
    [phase],
  );
  return new Map(rows.map((row) => [row.id, BigInt(row.sequence)]));
}

export interface OutboxState {
  total: number;
  unpublished: number;
  /** Distinct log_sequence values: equals `total` once each event was numbered exactly once. */
  numbered: number;
  /** Events numbered before an earlier event of their aggregate. */
  misnumbered: number;
}

export async function outboxState(db: pg.Pool, phase: string): Promise<OutboxState> {
  const { rows } = await db.query<Record<keyof OutboxState, string>>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE published_at IS NULL) AS unpublished,
            count(DISTINCT log_sequence) AS numbered,
            count(*) FILTER (WHERE log_sequence < previous) AS misnumbered
     FROM (SELECT published_at, log_sequence,
                  lag(log_sequence) OVER (PARTITION BY aggregate_type, aggregate_id ORDER BY sequence) AS previous
           FROM outbox_events WHERE aggregate_id LIKE $1 || '-%') events`,
    [phase],
  );
  const row = rows[0]!;
  return {
    total: Number(row.total),
    unpublished: Number(row.unpublished),
    numbered: Number(row.numbered),
    misnumbered: Number(row.misnumbered),
  };
}

/** Unpublished events of a phase, optionally only those up to a sequence. */
export async function unpublished(db: pg.Pool, phase: string, upTo?: bigint): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM outbox_events
     WHERE published_at IS NULL AND aggregate_id LIKE $1 || '-%'
       AND ($2::bigint IS NULL OR sequence <= $2::bigint)`,
    [phase, upTo ?? null],
  );
  return Number(rows[0]!.n);
}

export async function lastSequence(db: pg.Pool): Promise<bigint> {
  const { rows } = await db.query<{ last: string | null }>(
    'SELECT max(sequence)::text AS last FROM outbox_events',
  );
  return BigInt(rows[0]!.last ?? 0);
}

/** One live event: aggregates repeat every `aggregates` events, so their order is checked too. */
export function liveEvent(phase: string, n: number, aggregates = 1_000) {
  const a = n % aggregates;
  const aggregateType: AggregateType = a % 2 === 0 ? 'order' : 'booking';
  const aggregateId = `${phase}-${String(a).padStart(7, '0')}`;
  return {
    aggregateType,
    aggregateId,
    eventType: aggregateType === 'order' ? 'OrderPlaced' : 'SeatsHeld',
    payload: {
      id: aggregateId,
      customerId: `customer-${String(n % 9973).padStart(5, '0')}`,
      items: [
        { sku: `SKU-${String(n % 997).padStart(4, '0')}`, quantity: 1, unitPriceCents: 1_500 },
      ],
      totalCents: 1_500,
      step: Math.floor(n / aggregates),
      reason: null,
    },
    correlationId: `${aggregateType}:${aggregateId}`,
  };
}

/** A single-event transaction as plain SQL; resolves with the event id once it committed. */
export async function insertLiveEvent(db: pg.Pool, phase: string, n: number): Promise<string> {
  const id = randomUUID();
  const event = liveEvent(phase, n);
  await db.query(
    `INSERT INTO outbox_events (id, aggregate_type, aggregate_id, event_type, payload, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      event.aggregateType,
      event.aggregateId,
      event.eventType,
      event.payload,
      event.correlationId,
    ],
  );
  return id;
}
