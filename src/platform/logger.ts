import pino from 'pino';

// Logs go to standard error as JSON lines. Personal data never goes in: the paths below are
// removed should a request or an error ever carry them.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['*.id_number', '*.phone', '*.idNumber', 'req.headers.cookie', 'req.headers.authorization', 'body.password'],
    remove: true,
  },
}, pino.destination(2));
