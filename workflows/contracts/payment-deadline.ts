/**
 * How long a saga's payment may take, retries included, when its start request names no deadline:
 * the API's default and the sagas' fallback.
 */
export const DEFAULT_PAYMENT_DEADLINE_SECONDS = 60;
