import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config/load-config.js';
import { DEFAULTS } from '../../platform/config/settings.js';
import { stackConfigSchema } from '../support/harness.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(stackConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig(stackConfigSchema)', () => {
  it('needs nothing from an empty environment: the defaults are the local stack', () => {
    const config = loadConfig(stackConfigSchema, {});
    expect(config).toMatchObject({
      DATABASE_URL: DEFAULTS.DATABASE_URL,
      TEMPORAL_ADDRESS: DEFAULTS.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_UI_PORT: DEFAULTS.TEMPORAL_UI_PORT,
      KAFKA_BROKERS: DEFAULTS.KAFKA_BROKERS.split(','),
      REDIS_URL: DEFAULTS.REDIS_URL,
      PAYMENT_GATEWAY_URL: DEFAULTS.PAYMENT_GATEWAY_URL,
    });
    expect(config.KAFKA_CONTROLLER_PORT).toEqual(expect.any(Number));
  });

  it('reads only the environment it is given', () => {
    const config = loadConfig(stackConfigSchema, { UNRELATED: 'x' });
    expect(config).not.toHaveProperty('UNRELATED');
    expect(config.DATABASE_URL).toBe(DEFAULTS.DATABASE_URL);
  });

  it('applies overrides and converts them to their types', () => {
    const config = loadConfig(stackConfigSchema, {
      DATABASE_URL: 'postgres://app:secret@db.internal:6543/sagas',
      TEMPORAL_ADDRESS: 'temporal.internal:7234',
      TEMPORAL_NAMESPACE: 'sagas',
      TEMPORAL_UI_PORT: '18233',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092,kafka-3:9092',
      REDIS_URL: 'rediss://cache.internal:6380',
      STACK_START_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://app:secret@db.internal:6543/sagas',
      TEMPORAL_ADDRESS: 'temporal.internal:7234',
      TEMPORAL_NAMESPACE: 'sagas',
      TEMPORAL_UI_PORT: 18233,
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092', 'kafka-3:9092'],
      REDIS_URL: 'rediss://cache.internal:6380',
      STACK_START_TIMEOUT_MS: 5000,
    });
  });

  it('rejects a bad environment with one ConfigError naming every bad variable', () => {
    const bad = {
      DATABASE_URL: 'mysql://x',
      TEMPORAL_UI_PORT: '99999',
      KAFKA_BROKERS: 'nope',
      REDIS_URL: 'http://127.0.0.1:6379',
    };
    expect(() => loadConfig(stackConfigSchema, { ...bad, TEMPORAL_NAMESPACE: 'fine' })).toThrow(
      ConfigError,
    );
    const { message } = configError({ ...bad, TEMPORAL_NAMESPACE: 'fine' });
    const reported = message
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/[:.]/)[0]);
    expect(reported.sort()).toEqual(Object.keys(bad).sort());
    expect(message).not.toContain('TEMPORAL_NAMESPACE');
    // A list-valued variable is named as a whole, with the value the user gave.
    expect(message).toContain('KAFKA_BROKERS: expected host:port (got "nope")');
  });

  it('reports one line per bad variable', () => {
    const { message } = configError({ TEMPORAL_UI_PORT: '0', KAFKA_CONTROLLER_PORT: 'abc' });
    const variables = message
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/[:.]/)[0]);
    expect(variables.sort()).toEqual(['KAFKA_CONTROLLER_PORT', 'TEMPORAL_UI_PORT']);
  });
});
