import type { PrismaClient } from '../../prisma/client.js';

/** One order's or booking's row of the saga view (sagaViewProjection; Prisma model OrderView). */
export interface SagaViewRecord {
  id: string;
  kind: 'order' | 'booking';
  status: string;
  customerId: string | null;
  totalCents: number | null;
  details: Record<string, unknown>;
  lastEventType: string;
  eventCount: number;
  updatedAt: string;
}

export interface LoyaltyRecord {
  customerId: string;
  points: number;
  awards: { kind: string; id: string; points: number; status: string }[];
}

/** Reads of the consumers' read models (eventually consistent: they lag the sagas a little). */
export interface ViewQueries {
  findView(kind: 'order' | 'booking', id: string): Promise<SagaViewRecord | null>;
  findLoyalty(customerId: string): Promise<LoyaltyRecord>;
}

export function createPrismaViewQueries({
  prisma,
  sagaViewConsumer,
  loyaltyConsumer,
}: {
  prisma: PrismaClient;
  sagaViewConsumer: string;
  loyaltyConsumer: string;
}): ViewQueries {
  return {
    async findView(kind, id) {
      const row = await prisma.orderView.findUnique({
        where: {
          consumer_aggregateType_aggregateId: {
            consumer: sagaViewConsumer,
            aggregateType: kind,
            aggregateId: id,
          },
        },
      });
      if (!row) return null;
      return {
        id: row.aggregateId,
        kind,
        status: row.status,
        customerId: row.customerId,
        totalCents: row.totalCents,
        details: row.details as Record<string, unknown>,
        lastEventType: row.lastEventType,
        eventCount: row.eventCount,
        updatedAt: row.updatedAt.toISOString(),
      };
    },
    async findLoyalty(customerId) {
      const [account, awards] = await Promise.all([
        prisma.loyaltyAccount.findUnique({
          where: { consumer_customerId: { consumer: loyaltyConsumer, customerId } },
        }),
        prisma.loyaltyAward.findMany({
          where: { consumer: loyaltyConsumer, customerId },
          orderBy: { updatedAt: 'asc' },
        }),
      ]);
      return {
        customerId,
        points: account?.points ?? 0,
        awards: awards.map((award) => ({
          kind: award.aggregateType,
          id: award.aggregateId,
          points: award.points,
          status: award.status,
        })),
      };
    },
  };
}
