import { describe, expect, it } from 'vitest';
import { createInFlightLimit } from '../../api/http/in-flight-limit.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createInFlightLimit', () => {
  it('runs at most `max` calls at once and starts the waiting ones in arrival order', async () => {
    const limited = createInFlightLimit(2);
    const releases: (() => void)[] = [];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const results = Array.from({ length: 5 }, (_, i) =>
      limited(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    releases.shift()!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    while (releases.length > 0 || started.length < 5) {
      releases.shift()?.();
      await tick();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('frees the slot of a call that fails', async () => {
    const limited = createInFlightLimit(1);
    await expect(limited(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limited(async () => 'next')).toBe('next');
  });
});
