// Imported first by the first-screen bench: the server's error lines for requests the browser gave
// up on (a page navigated away, a context closed mid-load) are expected there, and would break its table.
process.env.LOG_LEVEL ??= 'fatal';
