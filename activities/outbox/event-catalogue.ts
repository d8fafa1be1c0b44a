/**
 * Every domain event the sagas write to the outbox, by aggregate and event type, with its payload:
 * the one contract between the activities that append events and the consumers that read them.
 * Types only describe the wire; the payloads (their fields and values) are what the writers write.
 * Each payload starts with its aggregate's id (`orderId`, `bookingId`, `eventId`).
 */

/** An order line as the order was placed, price fixed then. */
export interface PricedLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

/** Stock taken or given back for one SKU. */
export interface StockLine {
  sku: string;
  quantity: number;
}

interface Captured {
  chargeId: string;
  amountCents: number;
}

interface Refunded {
  chargeId: string;
  refundId: string;
  amountCents: number;
}

interface Notified {
  recipient: string;
  subject: string;
}

/** A booking that ended without going through (its seats, if held, are given back). */
interface BookingEnded {
  bookingId: string;
  eventId: string;
  reason: string;
}

/** A booking that failed at once because too few seats were left. */
interface BookingSoldOut extends BookingEnded {
  seats: number;
  availableSeats: number;
}

export interface OrderEvents {
  OrderPlaced: { orderId: string; customerId: string; items: PricedLine[]; totalCents: number };
  InventoryReserved: { orderId: string; items: StockLine[] };
  InventoryReleased: { orderId: string; items: StockLine[] };
  PaymentCaptured: { orderId: string } & Captured;
  PaymentRefunded: { orderId: string } & Refunded;
  OrderConfirmed: { orderId: string };
  OrderCancelled: { orderId: string; reason: string };
  OrderFailed: { orderId: string; reason: string };
  CustomerNotified: { orderId: string } & Notified;
}

export interface BookingEvents {
  SeatsHeld: {
    bookingId: string;
    eventId: string;
    customerId: string;
    seats: number;
    totalCents: number;
    holdExpiresAt: string;
  };
  SeatsReleased: { bookingId: string; eventId: string; seats: number };
  PaymentCaptured: { bookingId: string } & Captured;
  PaymentRefunded: { bookingId: string } & Refunded;
  BookingConfirmed: { bookingId: string };
  BookingExpired: BookingEnded;
  BookingCancelled: BookingEnded;
  BookingFailed: BookingEnded | BookingSoldOut;
  CustomerNotified: { bookingId: string } & Notified;
}

/** Events of a ticketed event (the thing seats are booked for), not to be confused with domain events. */
export interface TicketedEventEvents {
  EventCreated: {
    eventId: string;
    title: string;
    startsAt: string;
    totalSeats: number;
    priceCents: number;
  };
}

export interface DomainEventCatalogue {
  order: OrderEvents;
  booking: BookingEvents;
  event: TicketedEventEvents;
}

/** Also the Kafka topic suffix: `<prefix>.<aggregateType>`. */
export type AggregateType = keyof DomainEventCatalogue;

/** The event types of an aggregate; of several aggregates, the types they all have. */
export type EventTypeOf<A extends AggregateType> = keyof DomainEventCatalogue[A] & string;

/** Every event type of the catalogue. */
export type EventType = { [A in AggregateType]: EventTypeOf<A> }[AggregateType];

export type PayloadOf<
  A extends AggregateType,
  T extends EventTypeOf<A>,
> = DomainEventCatalogue[A][T];

/** The field each payload of an aggregate starts with: its id. */
export type IdField<A extends AggregateType> = `${A}Id`;

/**
 * A set of event types for a consumer to test envelopes against; naming an event type the
 * catalogue does not have is a compile error.
 */
export function eventTypeSet<T extends EventType>(...types: T[]): { has(type: string): type is T } {
  const names = new Set<string>(types);
  return { has: (type): type is T => names.has(type) };
}
