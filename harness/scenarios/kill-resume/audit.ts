import type { ConsistencyReport } from '../../../activities/ops/consistency.check.js';
import { auditContext, type AuditInput } from './audit/audit-context.js';
import { auditCharges, type ChargeAudit } from './audit/charges.js';
import { auditConservation, type SeatAudit, type StockAudit } from './audit/conservation.js';
import { auditExactlyOnce } from './audit/exactly-once.js';
import { auditFinalStates } from './audit/final-states.js';
import { auditKafkaReadBack } from './audit/kafka-read-back.js';

export type { AuditInput } from './audit/audit-context.js';

export interface KillResumeAudit {
  sagas: number;
  /** `order CONFIRMED` → how many, and so on. */
  finalStates: Record<string, number>;
  charges: ChargeAudit;
  consistency: ConsistencyReport['checked'];
  stock: StockAudit[];
  seats: SeatAudit;
  events: number;
  processedRows: Record<string, number>;
  duplicatesDropped: Record<string, number> | null;
  points: { expected: number; actual: number };
  /** Messages of the run's events on Kafka, and how many of them were extra copies. */
  kafka: { messages: number; duplicates: number } | null;
}

/** The checks after the kills, in order: each throws KillResumeCheckFailed with what it found. */
export async function auditKillResume(input: AuditInput): Promise<KillResumeAudit> {
  const audit = auditContext(input);
  const { finalStates, rows } = await auditFinalStates(audit);
  const charges = await auditCharges(audit, rows);
  const { consistency, stock, seats } = await auditConservation(audit);
  const { outbox, processedRows, duplicatesDropped, points } = await auditExactlyOnce(audit);
  const kafka = input.topics ? await auditKafkaReadBack(audit, input.topics, outbox) : null;
  return {
    sagas: audit.sagas.length,
    finalStates,
    charges,
    consistency,
    stock,
    seats,
    events: outbox.length,
    processedRows,
    duplicatesDropped,
    points,
    kafka,
  };
}
