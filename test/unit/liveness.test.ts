import { setTimeout as sleep } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { LIVENESS_HEARTBEAT_EVERY_MS, withLivenessHeartbeats } from '../../activities/liveness.js';

describe('liveness heartbeats', () => {
  const activities = withLivenessHeartbeats({
    slow: async (ms: number) => {
      await sleep(ms);
      return `slept ${ms}`;
    },
    failing: async () => {
      await sleep(LIVENESS_HEARTBEAT_EVERY_MS * 2.5);
      throw new Error('gateway exploded');
    },
  });

  async function heartbeatsOf(run: (env: MockActivityEnvironment) => Promise<unknown>) {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    const outcome = await run(env).catch((error: unknown) => error);
    // No heartbeat may come after the activity returned.
    await sleep(LIVENESS_HEARTBEAT_EVERY_MS * 2);
    return { outcome, beats };
  }

  it('a step running for a few intervals heartbeats each interval, and returns its result', async () => {
    const { outcome, beats } = await heartbeatsOf((env) =>
      env.run(activities.slow, LIVENESS_HEARTBEAT_EVERY_MS * 3.5),
    );
    expect(outcome).toBe(`slept ${LIVENESS_HEARTBEAT_EVERY_MS * 3.5}`);
    expect(beats).toBe(3);
  });

  it('a step done within one interval sends nothing', async () => {
    const { beats } = await heartbeatsOf((env) =>
      env.run(activities.slow, LIVENESS_HEARTBEAT_EVERY_MS / 5),
    );
    expect(beats).toBe(0);
  });

  it('a failing step passes its error on and stops heartbeating', async () => {
    const { outcome, beats } = await heartbeatsOf((env) => env.run(activities.failing));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('gateway exploded');
    expect(beats).toBe(2);
  });

  it('outside an activity it just runs the call', async () => {
    await expect(activities.slow(1)).resolves.toBe('slept 1');
  });
});
