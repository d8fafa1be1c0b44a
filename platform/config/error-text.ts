/** `Name: message` for logs, status reports and bench output; anything else thrown, as text. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
