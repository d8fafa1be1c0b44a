import type { Logger } from 'pino';
import type { PrismaClient } from '../../prisma/client.js';
import { aggregateEvent, appendToOutbox } from '../outbox/outbox.appender.js';

export interface Notification {
  /** Written once per key: a retried notification is not sent twice. */
  idempotencyKey: string;
  /** What the notification is about: its event goes to that aggregate's stream. */
  about: { type: 'order' | 'booking'; id: string };
  recipient: string;
  subject: string;
  body: string;
}

export interface NotificationProvider {
  send(notification: Notification, correlationId: string | undefined): Promise<void>;
}

/** The default provider: an outbox-backed row in `notifications` plus a log line. */
export function createDatabaseNotificationProvider({
  prisma,
  logger,
}: {
  prisma: PrismaClient;
  logger: Logger;
}): NotificationProvider {
  return {
    async send(notification, correlationId) {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.notification.createMany({
          data: [
            {
              id: notification.idempotencyKey,
              recipient: notification.recipient,
              subject: notification.subject,
              body: notification.body,
            },
          ],
          skipDuplicates: true,
        });
        if (count === 0) return;
        await appendToOutbox(
          tx,
          correlationId,
          aggregateEvent(notification.about.type, notification.about.id, 'CustomerNotified', {
            recipient: notification.recipient,
            subject: notification.subject,
          }),
        );
      });
      logger.info(
        { correlationId, recipient: notification.recipient, subject: notification.subject },
        'notification sent',
      );
    },
  };
}
