import { check, done, notYet, progressOf, seconds } from '../probes.js';
import { count, type AuditContext } from './audit-context.js';

/** A saga's row: its status, and the charge it names. */
export type SagaRows = Map<string, { status: string; chargeId: string | null }>;

/** Every saga reached its final state: its workflow closed the expected way, its row says so. */
export async function auditFinalStates(
  audit: AuditContext,
): Promise<{ finalStates: Record<string, number>; rows: SagaRows }> {
  const { sagas, narrate } = audit;
  const began = Date.now();
  narrate('[audit] waiting for every saga to end (confirmed bookings end when their event starts)');
  const closed = await untilClosed(audit);
  const rows = await sagaRows(audit);
  for (const saga of sagas) {
    const workflow = closed.get(saga.id);
    const expectedWorkflow = saga.expect === 'FAILED' ? 'FAILED' : 'COMPLETED';
    check(
      workflow === expectedWorkflow && rows.get(saga.id)?.status === saga.expect,
      `${saga.id} (${saga.story}): workflow ${workflow}, row ${rows.get(saga.id)?.status ?? 'missing'}; ` +
        `expected ${expectedWorkflow} and ${saga.expect}`,
    );
  }
  const finalStates = count(sagas, (saga) => `${saga.kind} ${saga.expect}`);
  narrate(
    `[audit] all ${sagas.length} sagas ended as expected (${seconds(Date.now() - began)} wait): ` +
      Object.entries(finalStates)
        .map(([state, n]) => `${n} ${state}`)
        .join(', '),
  );
  return { finalStates, rows };
}

/** Waits until every saga's workflow has closed; resolves how each closed. */
async function untilClosed({ sagas, client, until }: AuditContext) {
  const closed = new Map<string, string>();
  await until('every saga workflow to close', async () => {
    for (const saga of sagas) {
      if (closed.has(saga.id)) continue;
      const { status } = await progressOf(client, saga.workflowId);
      if (status !== 'RUNNING') closed.set(saga.id, status);
    }
    const open = sagas.filter((saga) => !closed.has(saga.id));
    return open.length === 0
      ? done(undefined)
      : notYet(`${open.length} running: ${open.map((s) => s.id).join(', ')}`);
  });
  return closed;
}

async function sagaRows({ sagas, prisma }: AuditContext): Promise<SagaRows> {
  const rows: SagaRows = new Map();
  for (const row of await prisma.order.findMany({
    where: { id: { in: sagas.map((s) => s.id) } },
    select: { id: true, status: true, chargeId: true },
  }))
    rows.set(row.id, row);
  for (const row of await prisma.booking.findMany({
    where: { id: { in: sagas.map((s) => s.id) } },
    select: { id: true, status: true, chargeId: true },
  }))
    rows.set(row.id, row);
  return rows;
}
