import type { Db } from '../../prisma/client.js';

/** Records that `consumer` applied `eventId`; false when it already had (a duplicate delivery). */
export async function markProcessed(tx: Db, consumer: string, eventId: string): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO processed_events (consumer, event_id) VALUES (${consumer}, ${eventId}::uuid)
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}
