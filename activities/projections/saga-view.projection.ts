import type { EventType, EventTypeOf, IdField } from '../outbox/event-catalogue.js';
import type { EventEnvelope } from '../outbox/event-envelope.js';
import type { Db } from '../../prisma/client.js';
import type { Projection } from './projection.js';

type SagaAggregate = 'order' | 'booking';

/** The status an event moves its order or booking to; events not listed only add details. */
const STATUS_AFTER: { [A in SagaAggregate]: Partial<Record<EventTypeOf<A>, string>> } = {
  order: {
    OrderPlaced: 'PENDING',
    InventoryReserved: 'RESERVED',
    PaymentCaptured: 'PAID',
    OrderConfirmed: 'CONFIRMED',
    OrderCancelled: 'CANCELLED',
    OrderFailed: 'FAILED',
  },
  booking: {
    SeatsHeld: 'HELD',
    PaymentCaptured: 'PAID',
    BookingConfirmed: 'CONFIRMED',
    BookingExpired: 'EXPIRED',
    BookingCancelled: 'CANCELLED',
    BookingFailed: 'FAILED',
  },
};

/** Facts worth keeping from events that do not change the status. */
const FLAG_AFTER: Partial<Record<EventType, string>> = {
  PaymentRefunded: 'refunded',
  CustomerNotified: 'notified',
  InventoryReleased: 'inventoryReleased',
  SeatsReleased: 'seatsReleased',
};

const ID_FIELDS = new Set<string>(['orderId', 'bookingId'] satisfies IdField<SagaAggregate>[]);

/** The tables above, looked up by the plain strings an envelope carries. */
const statusTable: Partial<Record<string, Partial<Record<string, string>>>> = STATUS_AFTER;
const flagTable: Partial<Record<string, string>> = FLAG_AFTER;
const NOTIFIED: EventType = 'CustomerNotified';

/**
 * The saga view (CQRS read model): the latest status of every order and booking with what its
 * events said, for `GET /views/orders/:id` and `GET /views/bookings/:id`. A status only moves
 * forward in per-aggregate sequence, so a late redelivery of an older event cannot undo a newer one.
 * Its table (`order_views`) and default consumer group (`order-view`) keep the names they had when
 * it held only orders.
 */
export const sagaViewProjection: Projection = {
  name: 'order-view',
  aggregateTypes: ['order', 'booking'],
  async apply(tx: Db, consumer: string, event: EventEnvelope) {
    const status = statusTable[event.aggregateType]?.[event.eventType] ?? null;
    // A notification's text belongs to the notification, not to the order.
    const facts = event.eventType === NOTIFIED ? {} : event.payload;
    const details: Record<string, unknown> = Object.fromEntries(
      Object.entries(facts).filter(([field]) => !ID_FIELDS.has(field)),
    );
    const flag = flagTable[event.eventType];
    if (flag) details[flag] = true;
    const customerId =
      typeof event.payload.customerId === 'string' ? event.payload.customerId : null;
    const totalCents =
      typeof event.payload.totalCents === 'number' ? event.payload.totalCents : null;
    await tx.$executeRaw`
      INSERT INTO order_views AS v (consumer, aggregate_type, aggregate_id, customer_id, status, total_cents,
                                    details, last_event_type, last_sequence, event_count)
      VALUES (${consumer}, ${event.aggregateType}, ${event.aggregateId}, ${customerId}, ${status ?? 'UNKNOWN'},
              ${totalCents}, ${JSON.stringify(details)}::jsonb, ${event.eventType}, ${BigInt(event.outboxSequence)}, 1)
      ON CONFLICT (consumer, aggregate_type, aggregate_id) DO UPDATE SET
        status = CASE WHEN ${status}::text IS NOT NULL AND EXCLUDED.last_sequence > v.last_sequence
                      THEN EXCLUDED.status ELSE v.status END,
        customer_id = COALESCE(v.customer_id, EXCLUDED.customer_id),
        total_cents = COALESCE(EXCLUDED.total_cents, v.total_cents),
        details = v.details || EXCLUDED.details,
        last_event_type = CASE WHEN EXCLUDED.last_sequence > v.last_sequence
                               THEN EXCLUDED.last_event_type ELSE v.last_event_type END,
        last_sequence = GREATEST(v.last_sequence, EXCLUDED.last_sequence),
        event_count = v.event_count + 1,
        updated_at = now()`;
  },
};
