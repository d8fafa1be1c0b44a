/**
 * pino's JSON lines as one readable line each, for a developer's terminal:
 * `HH:MM:SS.mmm LEVEL service message key=value …`, the saga's context first, an error's stack
 * below an error-level line. No dependency: a pino destination that formats what pino writes.
 */

export interface PrettyLogOptions {
  /** ANSI colours by level (see `wantsColour` in logger.ts for when). */
  colours: boolean;
}

/** What the pretty destination writes to (pino's SonicBoom on stdout, or a test's collector). */
export interface LineSink {
  write(text: string): unknown;
  flush?(callback?: (error?: Error | null) => void): void;
}

type Entry = Record<string, unknown> & { level: number };

const LEVELS: Record<number, { label: string; colour: string }> = {
  10: { label: 'TRACE', colour: '90' },
  20: { label: 'DEBUG', colour: '36' },
  30: { label: 'INFO ', colour: '32' },
  40: { label: 'WARN ', colour: '33' },
  50: { label: 'ERROR', colour: '31' },
  60: { label: 'FATAL', colour: '35;1' },
};
const ERROR_LEVEL = 50;

/** Shown right after the message, in this order: what a reader looks for first. */
const CONTEXT_KEYS = ['workflowId', 'activityType', 'attempt', 'orderId', 'bookingId'];

/** Rendered elsewhere on the line, or noise on a terminal (the JSON format keeps them all). */
const HIDDEN_KEYS = new Set([
  ...['level', 'time', 'msg', 'service', 'pid', 'hostname'],
  ...['namespace', 'isLocal', 'taskToken'], // Temporal's metadata: one namespace; an opaque token
]);

/** Hidden when they repeat another key: pino's `name` (service), a correlation id (workflowId). */
const REPEATS: Record<string, (entry: Entry) => unknown> = {
  name: serviceOf,
  correlationId: (entry) => entry.workflowId,
};

const ERROR_KEYS = new Set(['err', 'error']);

/** Longer values are cut (the JSON format keeps them whole); context values never are. */
export const MAX_VALUE_LENGTH = 80;
/** An error's `Name: message` gets more room: it is what the line is about. */
const MAX_ERROR_HEADLINE_LENGTH = 2 * MAX_VALUE_LENGTH;

/** A pino destination: every JSON line pino writes leaves as one pretty line. */
export function prettyDestination(sink: LineSink, options: PrettyLogOptions): LineSink {
  return {
    write: (chunk: string) => sink.write(formatChunk(chunk, options)),
    flush: (callback) => (sink.flush ? sink.flush(callback) : callback?.()),
  };
}

/** Each line of `chunk` formatted; line breaks, and anything not a log entry, kept as is. */
export function formatChunk(chunk: string, options: PrettyLogOptions): string {
  return chunk
    .split('\n')
    .map((line) => (line === '' ? line : formatLine(line, options)))
    .join('\n');
}

/** One pino JSON line as a pretty line (plus stack lines for errors); any other text unchanged. */
export function formatLine(line: string, options: PrettyLogOptions): string {
  const entry = parseEntry(line);
  if (!entry) return line;
  const paint = painter(options.colours);
  const level = LEVELS[entry.level] ?? { label: `L${entry.level}`, colour: '0' };
  const head = [
    paint('2', clockTime(entry.time)),
    paint(level.colour, level.label),
    paint('1', serviceOf(entry)),
    String(entry.msg ?? ''),
  ];
  const fields = orderedKeys(entry).map(
    (key) => paint('90', `${key}=`) + valueText(key, entry[key]),
  );
  const stack = entry.level >= ERROR_LEVEL ? stackLines(entry) : [];
  return [[...head, ...fields].join(' '), ...stack.map((frame) => paint('2', frame))].join('\n');
}

function parseEntry(line: string): Entry | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    const isEntry =
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      typeof (parsed as Entry).level === 'number';
    return isEntry ? (parsed as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function painter(colours: boolean): (code: string, text: string) => string {
  return colours ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
}

/** Local wall-clock time to the millisecond: a terminal shows one run, not several days. */
function clockTime(time: unknown): string {
  if (typeof time !== 'number') return '--:--:--.---';
  const at = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  const millis = String(at.getMilliseconds()).padStart(3, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${millis}`;
}

/** createLogger sets `service`; a bare pino logger (the payment gateway) only `name`. */
function serviceOf(entry: Entry): string {
  const service = entry.service ?? entry.name;
  return typeof service === 'string' ? service : '-';
}

/** The context keys present, then every other key in pino's order, unless hidden or a repeat. */
function orderedKeys(entry: Entry): string[] {
  const context = CONTEXT_KEYS.filter((key) => entry[key] !== undefined);
  const rest = Object.keys(entry).filter(
    (key) =>
      !HIDDEN_KEYS.has(key) &&
      !CONTEXT_KEYS.includes(key) &&
      !(key in REPEATS && entry[key] === REPEATS[key]?.(entry)),
  );
  return [...context, ...rest];
}

function valueText(key: string, value: unknown): string {
  if (ERROR_KEYS.has(key) && isSerializedError(value)) return errorHeadline(value);
  const text = scalarText(value);
  return CONTEXT_KEYS.includes(key) ? text : truncate(text);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export function truncate(text: string, max = MAX_VALUE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

interface SerializedError {
  type?: string;
  name?: string;
  message: string;
  stack?: string;
  cause?: unknown;
}

/** pino's `err` serializer output ({type, message, stack}); Temporal's bare `error`s are not. */
function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedError).message === 'string'
  );
}

/** `Name: first line of the message`; an error-level entry shows the other lines below it. */
function errorHeadline(error: SerializedError): string {
  const name = error.type ?? error.name ?? 'Error';
  const [first = '', ...more] = messageLines(error.message);
  return truncate(`${name}: ${first}${more.length > 0 ? ' …' : ''}`, MAX_ERROR_HEADLINE_LENGTH);
}

function messageLines(message: string): string[] {
  return message.split('\n').filter((line) => line.trim() !== '');
}

/** Under an error-level line: the rest of the message, the frames, then each cause the same way. */
function stackLines(entry: Entry): string[] {
  const lines: string[] = [];
  let error = [...ERROR_KEYS].map((key) => entry[key]).find(isSerializedError);
  for (let depth = 0; error && depth < 5; depth += 1) {
    if (depth > 0) lines.push(`  caused by: ${errorHeadline(error)}`);
    lines.push(
      ...messageLines(error.message)
        .slice(1)
        .map((line) => `    ${line.trimEnd()}`),
    );
    lines.push(...framesOf(error.stack));
    error = isSerializedError(error.cause) ? error.cause : undefined;
  }
  return lines;
}

/** A stack without its header (`Name: message`, shown above). */
function framesOf(stack: string | undefined): string[] {
  const lines = (stack ?? '').split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  return firstFrame < 0 ? [] : lines.slice(firstFrame).map((frame) => `    ${frame.trim()}`);
}
