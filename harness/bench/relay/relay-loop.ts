import { listenForOutboxCommits } from '../../../activities/outbox/relay.wakeups.js';
import { runRelayLoop, type RelayStatus } from '../../../activities/outbox/relay.loop.js';
import { createBenchRelay, type PhaseContext } from './phase-context.js';
import type { RelayProfile } from './relay-profile.js';

/**
 * The product's relay loop (runRelayLoop woken by LISTEN/NOTIFY) as the relay activity runs it,
 * without Temporal's activity context: its status changes become timestamped lines instead of
 * heartbeats.
 */
export interface RunningLoop {
  profile: RelayProfile;
  statusLog: string[];
  stop(): Promise<void>;
}

/** Turns the relay's status changes into lines: failures, retries, recovery. */
function statusNotes(note: (line: string) => void) {
  let previous: RelayStatus | undefined;
  return (status: RelayStatus) => {
    if (status.state === 'backing-off' && status.attempt !== previous?.attempt) {
      const waitMs = Date.parse(status.nextAttemptAt ?? '') - Date.now();
      note(
        `attempt ${status.attempt} failed (${status.lastError?.slice(0, 90)}); next in ${(waitMs / 1000).toFixed(1)} s`,
      );
    } else if (status.state === 'publishing' && previous?.state === 'backing-off') {
      note('trying again');
    } else if (status.state === 'idle' && previous?.failingSince) {
      note('published again: backlog drained');
    }
    previous = status;
  };
}

export function startRelayLoop(ctx: PhaseContext, topicPrefix: string, t0: number): RunningLoop {
  const { relay, publisher, profile } = createBenchRelay(ctx, topicPrefix);
  const wakeups = listenForOutboxCommits(ctx.databaseUrl, ctx.logger);
  const stop = new AbortController();
  const statusLog: string[] = [];
  const note = (line: string) => {
    const stamped = `+${((performance.now() - t0) / 1000).toFixed(1)} s  ${line}`;
    statusLog.push(stamped);
    ctx.progress(`relay: ${stamped}`);
  };
  const loop = runRelayLoop({
    relay,
    publisher,
    wakeups,
    signal: stop.signal,
    pollIntervalMs: ctx.pollIntervalMs,
    maxBackoffMs: ctx.maxBackoffMs,
    logger: ctx.logger,
    onStatus: statusNotes(note),
  });
  return {
    profile,
    statusLog,
    async stop() {
      stop.abort();
      try {
        await loop;
      } finally {
        await wakeups.close();
        await publisher.close();
      }
    },
  };
}
