import { WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';

const NOT_FOUND = 5; // gRPC status code

/** The workflow does not exist, or (for an update) has already closed. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (isGrpcServiceError(error) && error.code === NOT_FOUND)
  );
}

/** Executions that ended without the saga closing its own row (e.g. it failed on its first step). */
export const ENDED_EXECUTION_STATUS: Partial<Record<string, 'FAILED' | 'CANCELLED'>> = {
  FAILED: 'FAILED',
  TERMINATED: 'FAILED',
  TIMED_OUT: 'FAILED',
  CANCELLED: 'CANCELLED',
};
