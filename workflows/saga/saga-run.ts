import type { defineSearchAttributeKey } from '@temporalio/common';
import {
  log,
  patched,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors.js';
import { chargeIdempotencyKey } from '../contracts/idempotency-keys.js';
import { Saga } from './saga.js';

type KeywordAttribute = ReturnType<typeof defineSearchAttributeKey<'KEYWORD'>>;

/** What the kit keeps current in a saga's query state. */
export interface SagaRecord<Status extends string> {
  status: Status | 'FAILED';
  compensations: string[];
  notified?: boolean;
}

export interface SagaRunOptions<Status extends string> {
  state: SagaRecord<Status>;
  /** The keyword search attribute that mirrors `state.status`, so the Web UI can filter by it. */
  statusAttribute: KeywordAttribute;
  /** The saga's progress as the Web UI's "current details" show it (Temporal markdown). */
  progress: () => string;
  /**
   * Gates the workflow commands added for the Web UI (memo upserts with the total and the outcome,
   * the status attribute kept current when a compensation fails for good): histories recorded
   * before them replay without them.
   */
  uiMetadataPatch: string;
}

/**
 * What both sagas do around their steps: keep the status query, the Web UI's current details and
 * the status search attribute current; record the Web UI memo behind the saga's patch; run the
 * compensations (a failed one leaves the saga FAILED, and says why); and notify the customer
 * without ever undoing a confirmed saga. `Why` is what each compensation learns about the ending.
 */
export class SagaRun<Status extends string, Why = void> {
  private readonly saga: Saga<Why>;
  /** The key the saga charges under (and refunds against). */
  readonly chargeKey = chargeIdempotencyKey(workflowInfo().workflowId);

  constructor(private readonly options: SagaRunOptions<Status>) {
    this.saga = new Saga<Why>({
      onCompensated: (name) => {
        options.state.compensations.push(name);
        this.showProgress();
      },
    });
  }

  /** The Web UI's "current details": where the saga is, in a few lines (a query, not a command). */
  showProgress(): void {
    setCurrentDetails(this.options.progress());
  }

  setStatus(status: Status | 'FAILED'): void {
    this.options.state.status = status;
    upsertSearchAttributes([{ key: this.options.statusAttribute, value: status }]);
    this.showProgress();
  }

  /** Whether this run records the Web UI metadata (a history from before the patch does not). */
  withUiMetadata(): boolean {
    return patched(this.options.uiMetadataPatch);
  }

  /** Adds facts for the Web UI to the memo, behind the saga's patch. */
  upsertUiMemo(memo: Record<string, unknown>): void {
    if (this.withUiMetadata()) upsertMemo(memo);
  }

  addCompensation(name: string, run: (idempotencyKey: string, why: Why) => Promise<unknown>): void {
    this.saga.addCompensation(name, run);
  }

  /** Runs the compensations; a saga stuck half-undone says FAILED (not the last status), and why. */
  async compensate(why: Why): Promise<void> {
    try {
      await this.saga.compensate(why);
    } catch (compensationFailure) {
      if (this.withUiMetadata()) this.recordCompensationFailure(compensationFailure);
      throw compensationFailure;
    }
  }

  /**
   * Sends the customer's notification. A failed one never undoes a confirmed saga: it is recorded
   * (`notified: false`, shown in the current details) and logged, and the saga goes on.
   */
  async notifyCustomer(
    send: () => Promise<unknown>,
    what: 'order' | 'booking',
    logFields: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await send();
      this.options.state.notified = true;
      return true;
    } catch (error) {
      this.options.state.notified = false;
      this.showProgress();
      log.warn(`customer notification failed; the ${what} stays confirmed`, {
        ...logFields,
        error: String(error),
      });
      return false;
    }
  }

  private recordCompensationFailure(compensationFailure: unknown): void {
    this.setStatus('FAILED');
    const message =
      compensationFailure instanceof Error
        ? compensationFailure.message
        : String(compensationFailure);
    upsertMemo({
      outcome: { status: 'FAILED', failure: { type: ErrorType.CompensationFailed, message } },
    });
  }
}
