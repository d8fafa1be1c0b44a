import { describe, expect, it } from 'vitest';
import { ResetRefusedError, resetLocalDatabase, resetRefusal } from '../support/harness.js';

const LOCAL = 'postgresql://postgres:postgres@127.0.0.1:5432/durable_sagas';

describe('npm run db:reset refuses anything but the local stack', () => {
  it('allows the local stack database, by any loopback name', () => {
    for (const url of [
      LOCAL,
      'postgresql://postgres@localhost/durable_sagas',
      'postgres://postgres@[::1]:5433/other_db',
    ])
      expect(resetRefusal(url, undefined), url).toBeUndefined();
    expect(resetRefusal(LOCAL, 'development')).toBeUndefined();
  });

  it('refuses NODE_ENV=production', () => {
    expect(resetRefusal(LOCAL, 'production')).toMatch(/NODE_ENV is production/);
  });

  it('refuses a database on another machine, naming its host', () => {
    expect(resetRefusal('postgresql://app@db.example.com:5432/durable_sagas', undefined)).toMatch(
      /points at db\.example\.com, not this machine/,
    );
    expect(resetRefusal('postgresql://app@10.0.0.7/durable_sagas', undefined)).toMatch(
      /10\.0\.0\.7/,
    );
  });

  it("refuses the server's own databases", () => {
    for (const name of ['postgres', 'template1'])
      expect(resetRefusal(`postgresql://postgres@127.0.0.1:5432/${name}`, undefined)).toMatch(
        new RegExp(`server's own database ${name}`),
      );
    expect(resetRefusal('postgresql://postgres@127.0.0.1:5432', undefined)).toMatch(/no database/);
  });

  it('throws before it connects to anything', async () => {
    // Unroutable on purpose: a connection attempt would hang or fail with another error.
    const remote = resetLocalDatabase('postgresql://app@db.example.invalid/durable_sagas', {
      nodeEnv: undefined,
    });
    await expect(remote).rejects.toBeInstanceOf(ResetRefusedError);
    await expect(resetLocalDatabase(LOCAL, { nodeEnv: 'production' })).rejects.toThrow(
      /NODE_ENV is production/,
    );
  });
});
