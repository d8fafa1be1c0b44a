import { Context } from '@temporalio/activity';

/** The workflow id of the saga running this activity: the correlation id on its events and logs. */
export function currentCorrelationId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined; // called outside an activity
  }
}
