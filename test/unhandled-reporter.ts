import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter } from 'vitest/reporters';

// Errors thrown outside any test (a stray promise, a connection dying late) fail the run but are
// printed far up in a long log. This keeps them in a file that scripts/test.mjs repeats at the end.
export default class UnhandledErrorsReporter implements Reporter {
  onTestRunEnd(_modules: unknown, errors: ReadonlyArray<{ name?: string; message?: string; stack?: string }>) {
    const file = process.env.STRATUM_UNHANDLED_FILE;
    if (!file) return;
    mkdirSync('test-results', { recursive: true });
    const text = errors.map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}\n${e.stack ?? ''}`.trim()).join('\n\n');
    writeFileSync(file, text);
  }
}
