/**
 * Runs `work` with a deadline: rejects with "no answer within N ms" once it passes, and aborts the
 * signal so the work can stop (or drop a connection that hangs). A `work` that throws
 * synchronously rejects like one that fails later.
 */
export async function withTimeLimit<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(abort.signal)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
