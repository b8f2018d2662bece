// Finds ID numbers and phones in log files (issue 5: nothing sensitive in logs). The values are
// the ones the test factories wrote and the test databases held (test/pii-seen.ts notes them);
// `npm test` runs this over every log line of the run as its last check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const filesIn = (dir) => (existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : []);

/** Every value noted in the files of a folder (one a line). */
export function readValues(dir) {
  const values = new Set();
  for (const file of filesIn(dir)) for (const v of readFileSync(file, 'utf8').split('\n')) if (v.trim().length >= 11) values.add(v.trim().toUpperCase());
  return values;
}

/**
 * The log lines carrying one of the values: every run of 11 or more digits (an ID number may end
 * in X) is tried at every offset as an 11-character phone and an 18-character ID number.
 * Returns { file, line, kind } without the value itself (the report must not leak it either).
 */
export function findLeaks(logText, values, file = 'log') {
  const hits = [];
  const lines = logText.split('\n');
  lines.forEach((text, i) => {
    for (const m of text.toUpperCase().matchAll(/[0-9]{11,}X?/g)) {
      const run = m[0];
      let found = null;
      for (let at = 0; at + 11 <= run.length && !found; at++) {
        if (values.has(run.slice(at, at + 11))) found = 'phone';
        else if (at + 18 <= run.length && values.has(run.slice(at, at + 18))) found = 'id_number';
      }
      if (found) {
        hits.push({ file, line: i + 1, kind: found });
        break;
      }
    }
  });
  return hits;
}

/** Searches every log file of a folder; { values, lines, hits }. */
export function checkLogFolder(logDir, valuesDir) {
  const values = readValues(valuesDir);
  let lines = 0;
  const hits = [];
  for (const file of filesIn(logDir)) {
    const text = readFileSync(file, 'utf8');
    lines += text.split('\n').length - 1;
    hits.push(...findLeaks(text, values, path.basename(file)));
  }
  return { values: values.size, lines, hits };
}
