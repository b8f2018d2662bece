// Imported first by benchmarks: a log line per request would be most of what they print.
process.env.LOG_LEVEL ??= 'warn';
