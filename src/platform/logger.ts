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

export const logger = pino({
  level: logDir ? 'debug' : level,
  redact: {
    paths: ['*.id_number', '*.phone', '*.idNumber', 'req.headers.cookie', 'req.headers.authorization', 'body.password'],
    remove: true,
  },
}, destination());
