import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  MAX_VALUE_LENGTH,
  formatChunk,
  formatLine,
  prettyDestination,
} from '../../platform/config/pretty-log.js';

// Local time, as the formatter prints it: 13:04:05.006 wherever the test runs.
const TIME = new Date(2025, 0, 2, 13, 4, 5, 6).getTime();
const plain = { colours: false };
const coloured = { colours: true };
const ESC = '\x1b[';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: TIME, service: 'api', name: 'api', msg: 'hello', ...fields });

describe('pretty log lines', () => {
  it('prints time, level, service and message, then the other fields as key=value', () => {
    expect(formatLine(line({ url: 'http://127.0.0.1:3000', count: 3, ok: true }), plain)).toBe(
      '13:04:05.006 INFO  api hello url=http://127.0.0.1:3000 count=3 ok=true',
    );
  });

  it.each([
    [10, 'TRACE', '90'],
    [20, 'DEBUG', '36'],
    [30, 'INFO ', '32'],
    [40, 'WARN ', '33'],
    [50, 'ERROR', '31'],
    [60, 'FATAL', '35;1'],
  ])('level %i reads %s, coloured %s when colours are on', (level, label, colour) => {
    expect(formatLine(line({ level }), plain)).toBe(`13:04:05.006 ${label} api hello`);
    expect(formatLine(line({ level }), coloured)).toContain(`${ESC}${colour}m${label}${ESC}0m`);
  });

  it('writes no escape codes when colours are off', () => {
    const text = formatLine(line({ level: 50, err: { type: 'Error', message: 'x' } }), plain);
    expect(text).not.toContain(ESC);
  });

  it('puts the saga context first, in a fixed order, whatever order pino wrote it in', () => {
    const text = formatLine(
      line({
        sdkComponent: 'worker',
        bookingId: 'b-1',
        attempt: 2,
        orderId: 'o-1',
        activityType: 'chargePayment',
        workflowId: 'order:o-1',
        durationMs: 7,
      }),
      plain,
    );
    expect(text).toBe(
      '13:04:05.006 INFO  api hello workflowId=order:o-1 activityType=chargePayment attempt=2 ' +
        'orderId=o-1 bookingId=b-1 sdkComponent=worker durationMs=7',
    );
  });

  it('names the service by `name` when there is no `service`, and hides pid and hostname', () => {
    const gateway = JSON.stringify({
      level: 30,
      time: TIME,
      pid: 42,
      hostname: 'box',
      name: 'payment-gateway',
      msg: 'listening',
    });
    expect(formatLine(gateway, plain)).toBe('13:04:05.006 INFO  payment-gateway listening');
  });

  it("hides Temporal's constant metadata and keys that repeat another", () => {
    const fields = { namespace: 'default', isLocal: false, taskToken: 'CiQ...', durationMs: 7 };
    const repeated = { workflowId: 'order:1', correlationId: 'order:1' };
    expect(formatLine(line({ ...fields, ...repeated }), plain)).toBe(
      '13:04:05.006 INFO  api hello workflowId=order:1 durationMs=7',
    );
    expect(formatLine(line({ name: 'other', correlationId: 'order:2' }), plain)).toBe(
      '13:04:05.006 INFO  api hello name=other correlationId=order:2',
    );
  });

  it('quotes strings with spaces and prints objects as compact JSON', () => {
    expect(formatLine(line({ reason: 'card declined', groups: ['a', 'b'] }), plain)).toBe(
      '13:04:05.006 INFO  api hello reason="card declined" groups=["a","b"]',
    );
  });

  it('cuts long values, but never the context a reader searches for', () => {
    const long = 'x'.repeat(200);
    const text = formatLine(line({ workflowId: `order:${long}`, subject: long }), plain);
    expect(text).toContain(`workflowId=order:${long} `);
    const subject = text.split('subject=')[1]!;
    expect(subject).toHaveLength(MAX_VALUE_LENGTH);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('shows an error as err=Name: message, and its stack below an error-level line', () => {
    const err = {
      type: 'TypeError',
      message: 'boom',
      stack: 'TypeError: boom\n    at charge (payments.ts:1:1)\n    at run (worker.ts:2:2)',
    };
    expect(formatLine(line({ level: 50, msg: 'charge failed', err }), plain)).toBe(
      [
        '13:04:05.006 ERROR api charge failed err=TypeError: boom',
        '    at charge (payments.ts:1:1)',
        '    at run (worker.ts:2:2)',
      ].join('\n'),
    );
  });

  it('keeps a warning with an error on one line', () => {
    const err = { type: 'Error', message: 'reset', stack: 'Error: reset\n    at x (y.ts:1:1)' };
    expect(formatLine(line({ level: 40, msg: 'retrying', err }), plain)).toBe(
      '13:04:05.006 WARN  api retrying err=Error: reset',
    );
  });

  it("puts a multi-line message's first line inline and the rest below, then follows the cause", () => {
    const err = {
      type: 'Error',
      message: '\nouter\n  details',
      stack: 'Error: \nouter\n  details\n    at a (a.ts:1:1)',
      cause: { type: 'Error', message: 'inner', stack: 'Error: inner\n    at b (b.ts:1:1)' },
    };
    expect(formatLine(line({ level: 60, err }), plain).split('\n')).toEqual([
      '13:04:05.006 FATAL api hello err=Error: outer …',
      '      details',
      '    at a (a.ts:1:1)',
      '  caused by: Error: inner',
      '    at b (b.ts:1:1)',
    ]);
    expect(formatLine(line({ level: 40, err }), plain)).toBe(
      '13:04:05.006 WARN  api hello err=Error: outer …',
    );
  });

  it('gives an error message more room than other values, but cuts it too', () => {
    const message = 'm'.repeat(300);
    const text = formatLine(line({ level: 40, err: { type: 'Error', message } }), plain);
    const headline = text.split('err=')[1]!;
    expect(headline).toHaveLength(2 * MAX_VALUE_LENGTH);
    expect(headline).toMatch(/^Error: m+…$/);
  });

  it("prints Temporal's message-less error objects as data", () => {
    const error = { type: 'PaymentDeclined', nonRetryable: true };
    expect(formatLine(line({ level: 40, msg: 'Activity failed', error }), plain)).toBe(
      '13:04:05.006 WARN  api Activity failed error={"type":"PaymentDeclined","nonRetryable":true}',
    );
  });

  it.each([
    ['plain text', 'Error: something printed by a library'],
    ['a JSON value that is not an entry', '[1,2,3]'],
    ['an object without a level', '{"msg":"no level"}'],
    ['broken JSON', '{"level":30,'],
  ])('passes %s through unchanged', (_what, text) => {
    expect(formatLine(text, coloured)).toBe(text);
  });

  it('formats every line of a chunk and keeps its line breaks', () => {
    const chunk = `${line({})}\nnot json\n`;
    expect(formatChunk(chunk, plain)).toBe('13:04:05.006 INFO  api hello\nnot json\n');
  });
});

describe('the pretty destination under pino', () => {
  it("turns pino's own lines, error serializer included, into pretty lines", () => {
    const written: string[] = [];
    const logger = pino(
      { name: 'saga-worker', base: { service: 'saga-worker' } },
      prettyDestination({ write: (text) => written.push(text) }, plain),
    );
    logger.info({ workflowId: 'order:1', attempt: 1 }, 'step done');
    logger.error({ err: new RangeError('too far') }, 'step failed');

    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}saga-worker step done workflowId=order:1 attempt=1\n$/,
    );
    const [headline, firstFrame] = written[1]!.split('\n');
    expect(headline).toMatch(/ ERROR saga-worker step failed err=RangeError: too far$/);
    expect(firstFrame).toMatch(/^ {4}at /);
  });
});
