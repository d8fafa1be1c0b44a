/** An activity function of a proxy, ordinary or local: both accept per-call options. */
interface ActivityCall<Args extends unknown[], Result> {
  executeWithOptions(options: { summary?: string }, args: Args): Promise<Result>;
}

/**
 * Calls an activity with a one-line summary of what it does with the business data; the Web UI shows
 * it on the activity's events and in the timeline. The call keeps its proxy's timeouts and retry
 * policy (per-call options are merged over them). Summaries are metadata: replay ignores them.
 */
export function withSummary<Args extends unknown[], Result>(
  activity: ActivityCall<Args, Result>,
  summary: string,
  ...args: Args
): Promise<Result> {
  return activity.executeWithOptions({ summary }, args);
}

/** The "what went wrong" line of a saga's current details, when anything did. */
export function troubleText(state: {
  failure?: { type: string; message: string };
  compensations: string[];
  notified?: boolean;
}): string | undefined {
  const trouble = [];
  if (state.failure) trouble.push(`failed: ${state.failure.type} (${state.failure.message})`);
  if (state.compensations.length > 0) trouble.push(`undone: ${state.compensations.join(' → ')}`);
  if (state.notified === false) trouble.push('customer notification failed');
  return trouble.length > 0 ? trouble.join('; ') : undefined;
}
