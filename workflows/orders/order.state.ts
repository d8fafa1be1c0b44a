import { money } from '../contracts/money.js';
import { troubleText } from '../saga/step-summary.js';
import type { OrderSagaState } from './order.types.js';

/** What the order saga's flow and its cancel handler share. */
export interface OrderState {
  /** What the `orderStatus` query answers. */
  view: OrderSagaState;
  /** Set once the order is being confirmed: from then on a cancel is refused. */
  confirming: boolean;
  /** Set once the saga has failed and is being undone. */
  compensating: boolean;
}

export function initialOrderState(orderId: string): OrderState {
  return {
    view: {
      orderId,
      status: 'PENDING',
      completedSteps: [],
      compensations: [],
      cancelRequested: false,
    },
    confirming: false,
    compensating: false,
  };
}

/** The saga's progress as the Web UI's "current details" show it (Temporal markdown). */
export function orderProgress(view: OrderSagaState, units: number): string {
  const facts = [`order ${view.orderId}`, `${units} item(s)`];
  if (view.totalCents !== undefined) facts.push(`total ${money(view.totalCents)}`);
  if (view.chargeId) facts.push(`charge ${view.chargeId}`);
  const lines = [
    `**${view.status}**: ${facts.join(', ')}`,
    `steps done: ${view.completedSteps.join(' → ') || 'none yet'}`,
  ];
  const trouble = troubleText(view);
  if (trouble) lines.push(trouble);
  return lines.join('\n\n');
}
