/** Resolves on the first SIGINT or SIGTERM: the cue to close what was opened, then exit. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Runs an entry point's `main`: exit 0 once it has closed everything, 1 (and the error) if it throws. */
export function runEntryPoint(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
