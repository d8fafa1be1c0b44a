import { ApplicationFailure, CancellationScope, log, workflowInfo } from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors.js';
import { stepIdempotencyKey } from '../contracts/idempotency-keys.js';

export interface SagaOptions {
  /** Called as each compensation finishes, e.g. to expose progress through a query. */
  onCompensated?: (name: string) => void;
}

/** Undoes one step; `why` is what the saga passed to `compensate` (how it ended). */
type Compensation<Why> = {
  name: string;
  run: (idempotencyKey: string, why: Why) => Promise<unknown>;
};

/**
 * Collects compensations as a saga progresses and runs them when it gives up.
 *
 * Register a compensation *before* its step runs: a step that half-succeeded (committed, then the
 * worker died) is still undone, so every compensation must accept "nothing to undo". Each gets a
 * deterministic idempotency key, `<workflowId>:<name>`, stable across retries and replays.
 */
export class Saga<Why = void> {
  private readonly compensations: Compensation<Why>[] = [];

  constructor(private readonly options: SagaOptions = {}) {}

  static idempotencyKey(name: string): string {
    return stepIdempotencyKey(workflowInfo().workflowId, name);
  }

  addCompensation(name: string, run: (idempotencyKey: string, why: Why) => Promise<unknown>): void {
    this.compensations.push({ name, run });
  }

  /**
   * Runs the registered compensations in reverse order, in a non-cancellable scope (a cancelled
   * saga must still clean up). Their activities retry until they succeed; a compensation that fails
   * for good is not swallowed: the others still run, then the saga fails with `CompensationFailed`.
   */
  async compensate(why: Why): Promise<void> {
    const pending = this.compensations.splice(0).reverse();
    const failures: string[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const { name, run } of pending) {
        try {
          await run(Saga.idempotencyKey(name), why);
          this.options.onCompensated?.(name);
        } catch (error) {
          log.error('compensation failed', { compensation: name, error: String(error) });
          failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });
    if (failures.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `compensation failed: ${failures.join('; ')}`,
        ErrorType.CompensationFailed,
      );
    }
  }
}
