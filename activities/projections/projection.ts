import type { EventEnvelope } from '../outbox/event-envelope.js';
import type { Db } from '../../prisma/client.js';

/**
 * A read model fed by events. `apply` runs in the transaction that also records the event as
 * processed for `consumer`, so an event changes the model exactly once however often it arrives.
 * State rows are keyed by `consumer` (the consumer group), so a second group rebuilds its own copy.
 */
export interface Projection {
  /** The default consumer group id. */
  name: string;
  aggregateTypes: string[];
  apply(tx: Db, consumer: string, event: EventEnvelope): Promise<void>;
}
