import { ApplicationFailure, CancellationScope, log, workflowInfo } from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors.js';

export interface SagaOptions {
  /** Run compensations concurrently instead of in reverse order. */
  parallelCompensation?: boolean;
  /** Called as each compensation finishes, e.g. to expose progress through a query. */
  onCompensated?: (name: string) => void;
}

type Compensation = { name: string; run: (idempotencyKey: string) => Promise<unknown> };

/**
 * Collects compensations as a saga progresses and runs them when it gives up.
 *
 * Register a compensation *before* its step runs: a step that half-succeeded (committed, then the
 * worker died) is still undone, so every compensation must accept "nothing to undo". Each gets a
 * deterministic idempotency key, `<workflowId>:<name>`, stable across retries and replays.
 */
export class Saga {
  private readonly compensations: Compensation[] = [];

  constructor(private readonly options: SagaOptions = {}) {}

  static idempotencyKey(name: string): string {
    return `${workflowInfo().workflowId}:${name}`;
  }

  addCompensation(name: string, run: (idempotencyKey: string) => Promise<unknown>): void {
    this.compensations.push({ name, run });
  }

  /**
   * Runs the registered compensations in a non-cancellable scope (a cancelled saga must still
   * clean up). Their activities retry until they succeed; a compensation that fails for good is not
   * swallowed: the others still run, then the saga fails with `CompensationFailed`.
   */
  async compensate(): Promise<void> {
    const pending = this.compensations.splice(0).reverse();
    const failures: string[] = [];
    const runOne = async ({ name, run }: Compensation) => {
      try {
        await run(Saga.idempotencyKey(name));
        this.options.onCompensated?.(name);
      } catch (error) {
        log.error('compensation failed', { compensation: name, error: String(error) });
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await CancellationScope.nonCancellable(async () => {
      if (this.options.parallelCompensation) await Promise.all(pending.map(runOne));
      else for (const compensation of pending) await runOne(compensation);
    });
    if (failures.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `compensation failed: ${failures.join('; ')}`,
        ErrorType.CompensationFailed,
      );
    }
  }
}
