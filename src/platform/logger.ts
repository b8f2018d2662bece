import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';

// Logs go to standard error as JSON lines. Personal data never goes in: the paths below are
// removed should a request or an error ever carry them.
//
// STRATUM_LOG_DIR (set by `npm test`): every process also writes its log, at debug level, to a
// file of its own there, so the run can prove no ID number or phone reached any log line
// (scripts/check-logs.mjs), however quiet standard error is.
const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
const logDir = process.env.STRATUM_LOG_DIR;

function destination(): pino.DestinationStream {
  const stderr = pino.destination(2);
  if (!logDir) return stderr;
  mkdirSync(logDir, { recursive: true });
  const file = pino.destination({ dest: path.join(logDir, `${process.pid}.log`), sync: true, append: true });
  const streams: pino.StreamEntry[] = [{ level: 'debug', stream: file }];
  if (level !== 'silent') streams.push({ level: level as pino.Level, stream: stderr });
  return pino.multistream(streams);
}

/**
 * What of an error may be logged: its kind, codes and where it happened, never what it was given.
 * A database error carries the statement's parameters (PGlite adds `query` and `params`; a server's
 * `detail` quotes key values) and its message may quote the value that failed ("invalid input
 * syntax for type date: "2026-02-30""): a search text, a phone tail, a contact note. Every logged
 * `err` passes through here (the pino serializer below), wherever it is logged.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const e = err as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { type: e.name || e.constructor?.name || 'Error', message: scrub(e.message) };
  // SQLSTATE and the names of what failed (schema objects, not data); Fastify's own codes (FST_…)
  for (const k of ['code', 'severity', 'routine', 'constraint', 'table', 'column', 'dataType', 'statusCode'] as const) {
    if (typeof e[k] === 'string' || typeof e[k] === 'number') out[k] = e[k];
  }
  // the frames only: the stack's first line repeats the message unscrubbed
  if (typeof e.stack === 'string') out.stack = e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).join('\n');
  if (e.cause !== undefined) out.cause = safeError(e.cause);
  return out;
}

/** A message with quoted values and long digit runs (phones, ID numbers, amounts) taken out. */
export function scrub(message: string): string {
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d{4,}/g, '#')
    .slice(0, 300);
}

export const logger = pino({
  level: logDir ? 'debug' : level,
  serializers: { err: safeError },
  redact: {
    paths: ['*.id_number', '*.phone', '*.idNumber', 'req.headers.cookie', 'req.headers.authorization', 'body.password'],
    remove: true,
  },
}, destination());
