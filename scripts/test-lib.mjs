// What the test commands share: one vitest run with its counts, and the closing summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export function runVitest(name, env, filters, extra = []) {
  const out = `test-results/vitest-${name}.json`;
  const unhandled = `test-results/unhandled-${name}.txt`;
  rmSync(out, { force: true });
  rmSync(unhandled, { force: true });
  console.log(`\n=== tests on ${name} ===`);
  const r = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', ...(name === 'browser' ? ['-c', 'vitest.browser.config.ts'] : []), '--reporter=default', '--reporter=json', '--reporter=./test/unhandled-reporter.ts', `--outputFile.json=${out}`, ...filters, ...extra],
    { stdio: 'inherit', env: { ...process.env, ...env, STRATUM_UNHANDLED_FILE: unhandled } },
  );
  if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0, crashed: true, status: r.status };
  const j = JSON.parse(readFileSync(out, 'utf8'));
  // a test file that fails to load has no tests but counts as a failure
  const brokenFiles = (j.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  const errors = existsSync(unhandled) ? readFileSync(unhandled, 'utf8').trim() : '';
  // the failed tests by file and title, so the closing summary names them
  const failures = [];
  for (const f of j.testResults ?? []) {
    const file = String(f.name ?? '').replace(`${process.cwd()}/`, '');
    const failedTests = (f.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (f.status === 'failed' && failedTests.length === 0) failures.push(`${file}: the file did not load or run (${String(f.message ?? '').split('\n')[0].slice(0, 200)})`);
    for (const t of failedTests) failures.push(`${file} > ${t.fullName ?? t.title}: ${String((t.failureMessages ?? [])[0] ?? '').split('\n')[0].slice(0, 200)}`);
  }
  return {
    errors,
    failures,
    passed: j.numPassedTests,
    failed: j.numFailedTests + brokenFiles,
    skipped: j.numPendingTests + j.numTodoTests,
    crashed: false,
    status: r.status,
  };
}

/** Prints each run's counts and the closing line "N passed, N failed, N skipped"; the exit code. */
export function summarize(runs) {
  let passed = 0, failed = 0, skipped = 0;
  console.log('');
  for (const [name, r] of runs) {
    console.log(`${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.crashed ? ' (the run did not complete)' : ''}`);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    if (r.status !== 0 && r.failed === 0) failed += 1; // vitest failed for a reason it did not count
    for (const f of r.failures ?? []) console.log(`FAILED ${name}: ${f}`);
    if (r.errors) console.log(`${name}: errors outside any test, which fail the run:\n${r.errors.split('\n').slice(0, 40).join('\n')}`);
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed > 0 ? 1 : 0;
}
