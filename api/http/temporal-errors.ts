import { WorkflowNotFoundError, isGrpcServiceError, type WorkflowHandle } from '@temporalio/client';

const NOT_FOUND = 5; // gRPC status code

/** The workflow does not exist, or (for an update) has already closed. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (isGrpcServiceError(error) && error.code === NOT_FOUND)
  );
}

/** Executions that ended without the saga closing its own row (e.g. it failed on its first step). */
const ENDED_EXECUTION_STATUS: Partial<Record<string, 'FAILED' | 'CANCELLED'>> = {
  FAILED: 'FAILED',
  TERMINATED: 'FAILED',
  TIMED_OUT: 'FAILED',
  CANCELLED: 'CANCELLED',
};

/**
 * A saga's status as its execution shows it: FAILED or CANCELLED once it ended that way, PENDING
 * otherwise, null when there is no such workflow.
 */
export async function sagaStatusOf(
  handle: WorkflowHandle,
): Promise<'PENDING' | 'FAILED' | 'CANCELLED' | null> {
  try {
    const { status } = await handle.describe();
    return ENDED_EXECUTION_STATUS[status.name] ?? 'PENDING';
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
