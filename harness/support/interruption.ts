/**
 * Ctrl-C (or SIGTERM) handling shared by the demos: the first one aborts `signal` and runs
 * `cleanUp`; another one more than a second later forces exit 130 (npm and tsx pass on a Ctrl-C
 * that reached us already, so a repeat within a second is the same one).
 */
export function handleInterruption({
  cleanUp,
  beforeForcedExit,
  doing = 'cleaning up',
}: {
  cleanUp: () => unknown;
  /** What the first Ctrl-C line says is happening. */
  doing?: string;
  /** Said before a forced exit, e.g. what the demo could not put back. */
  beforeForcedExit?: () => void;
}) {
  let interruptedAt = 0;
  const controller = new AbortController();
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (interruptedAt > 0) {
        if (Date.now() - interruptedAt < 1_000) return;
        beforeForcedExit?.();
        process.exit(130);
      }
      interruptedAt = Date.now();
      console.error(`\n${name}: ${doing} (again to force)`);
      controller.abort(new Error(`interrupted by ${name}`));
      void cleanUp();
    });
  }
  return {
    signal: controller.signal,
    get interrupted() {
      return interruptedAt > 0;
    },
  };
}
