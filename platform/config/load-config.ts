import type { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates a process's environment against its schema. Every bad variable is reported at once,
 * so a misconfigured deployment is fixed in one round trip.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    // A transformed value (e.g. a comma list) reports a path inside it: name the variable itself.
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    const value = env[variable];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
    return `  ${variable}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Boot helper: print the config error and exit instead of a stack trace. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S): z.infer<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
