/**
 * How a saga introduces itself in the Web UI, set when the API starts it: a one-line summary and
 * a few lines of details (Temporal markdown) at the top of the workflow page, and a memo with the
 * business facts. The workflow adds what it learns later (the total, the outcome) to the memo.
 * Each saga describes itself in its own `*.description.ts`.
 */
export interface SagaDescription {
  staticSummary: string;
  staticDetails: string;
  memo: Record<string, unknown>;
}
