import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config/load-config.js';
import { chooseLogFormat, logDestination, wantsColour } from '../../platform/config/logger.js';
import { apiConfigSchema } from '../../api/api.config.js';

describe('LOG_FORMAT', () => {
  it('defaults to pretty on a terminal and to JSON otherwise', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
  });

  it('overrides the terminal check either way', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('is validated with the rest of the config, and optional', () => {
    expect(loadConfig(apiConfigSchema, {}).LOG_FORMAT).toBeUndefined();
    expect(loadConfig(apiConfigSchema, { LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(() => loadConfig(apiConfigSchema, { LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });

  it("leaves JSON to pino's own stdout destination, so the lines stay exactly as they were", () => {
    expect(logDestination({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' })).toBeUndefined();
    expect(logDestination({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' })).toBeDefined();
  });
});

describe('colours in pretty logs', () => {
  it('follow the terminal by default', () => {
    expect(wantsColour({}, true)).toBe(true);
    expect(wantsColour({}, false)).toBe(false);
  });

  it('are off with NO_COLOR, unless it is empty', () => {
    expect(wantsColour({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColour({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('are on with FORCE_COLOR, even off a terminal or with NO_COLOR; 0 or false: off', () => {
    expect(wantsColour({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColour({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(wantsColour({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(wantsColour({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(wantsColour({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });
});
