import type { PlannedSaga } from '../mix.js';
import { check } from '../probes.js';
import type { AuditContext } from './audit-context.js';
import type { SagaRows } from './final-states.js';

type Ledger = Awaited<ReturnType<AuditContext['gateway']['ledger']>>;

export interface ChargeAudit {
  captured: number;
  refunded: number;
  declined: number;
  /** Charge requests that reached the gateway (retries included); keys asked more than once. */
  requests: number;
  retriedKeys: number;
}

/** No charge captured twice: per saga, the gateway holds one charge key, captured at most once. */
export async function auditCharges(audit: AuditContext, rows: SagaRows): Promise<ChargeAudit> {
  const { gateway, runId, sagas } = audit;
  const ledgers = await Promise.all([
    gateway.ledger(`order:kr-${runId}-`),
    gateway.ledger(`booking:kr-${runId}-`),
  ]);
  const charges = ledgers.flatMap((ledger) => ledger.charges);
  const refunds = ledgers.flatMap((ledger) => ledger.refunds);
  let requests = 0;
  let retriedKeys = 0;
  for (const saga of sagas) {
    checkSagaCharges(saga, charges, refunds, rows);
    const asked = gateway.requests(saga.chargeKey);
    requests += asked;
    if (asked > 1) retriedKeys += 1;
  }
  const chargeAudit = {
    captured: charges.filter((c) => c.status === 'captured').length,
    refunded: refunds.filter((r) => r.status === 'refunded').length,
    declined: charges.filter((c) => c.status === 'declined').length,
    requests,
    retriedKeys,
  };
  audit.narrate(
    `[audit] gateway ledger: ${chargeAudit.captured} charges captured, each once, under its saga's one key ` +
      `(${requests} charge requests, ${retriedKeys} key(s) asked more than once); ${chargeAudit.refunded} refunded, ` +
      `${chargeAudit.declined} declined; every confirmed row names its captured charge`,
  );
  return chargeAudit;
}

/** The saga's charges: only under its one key, captured and refunded as its story says. */
function checkSagaCharges(
  saga: PlannedSaga,
  charges: Ledger['charges'],
  refunds: Ledger['refunds'],
  rows: SagaRows,
) {
  const own = charges.filter((charge) => charge.idempotencyKey.startsWith(`${saga.workflowId}:`));
  const strangers = own.filter((charge) => charge.idempotencyKey !== saga.chargeKey);
  check(
    strangers.length === 0,
    `${saga.id}: charges under other keys: ${strangers.map((c) => c.idempotencyKey).join(', ')}`,
  );
  const captured = own.filter((charge) => charge.status === 'captured');
  const refunded = refunds.filter(
    (refund) => refund.chargeIdempotencyKey === saga.chargeKey && refund.status === 'refunded',
  );
  check(
    captured.length === (saga.captured ? 1 : 0) &&
      refunded.length === (saga.refunded ? 1 : 0) &&
      captured.every((charge) => charge.amountCents === saga.totalCents),
    `${saga.id} (${saga.story}): ${captured.length} captured charge(s) ` +
      `(${captured.map((c) => c.amountCents).join(', ')} cents), ${refunded.length} refund(s); expected ` +
      `${saga.captured ? 1 : 0} of ${saga.totalCents} cents and ${saga.refunded ? 1 : 0}`,
  );
  if (saga.expect === 'CONFIRMED')
    check(
      rows.get(saga.id)?.chargeId === captured[0]?.chargeId,
      `${saga.id}: row says charge ${rows.get(saga.id)?.chargeId}, the gateway captured ${captured[0]?.chargeId}`,
    );
}
