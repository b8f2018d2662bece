import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStratumApp } from '../src/app.js';
import type { Db } from '../src/platform/db.js';
import { openTestDb } from './test-db.js';

// Issue 16: the OpenAPI document others build on passes a linter's recommended rules — Redocly's
// `recommended` ruleset, as `redocly lint` runs it — with no error and no warning. Each problem is
// printed with its rule and where in the document it is (a JSON pointer), so a new route that
// forgets a summary, a tag or its 4xx answers fails here, saying which.
//
// One rule is turned off, for a reason: info-license-strict wants the licence's URL, and Stratum
// is proprietary (package.json: UNLICENSED) — there is no licence text at an address to link to;
// info.license names it instead (info-license, which stays on).

let db: Db;
let app: FastifyInstance;
let source: string;

beforeAll(async () => {
  db = await openTestDb();
  app = await buildStratumApp({ db, webDir: null });
  const r = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(r.statusCode).toBe(200);
  source = r.body;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const where = (p: NormalizedProblem) => p.location.map((l) => l.pointer ?? '#').join(', ');
const line = (p: NormalizedProblem) => `${p.severity} ${p.ruleId} at ${where(p)}: ${p.message}${p.suggest.length ? ` (did you mean ${p.suggest.join(', ')}?)` : ''}`;

describe('the OpenAPI document at /docs/json', () => {
  it("passes Redocly's recommended rules: no error, no warning", async () => {
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license-strict': 'off' } });
    const problems = await lintFromString({ source, absoluteRef: 'stratum-openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warn');
    const report = problems.map(line).join('\n');
    expect(errors.length, `${errors.length} errors, ${warnings.length} warnings:\n${report}`).toBe(0);
    expect(warnings.length, `${warnings.length} warnings:\n${report}`).toBe(0);
  });

  it('the linter finds what it should: an operation without its operationId and its 4xx answers fails', async () => {
    // the check above proves nothing if the linter reads nothing: the same document with one
    // operation's 4xx answers and operationId removed must fail
    const doc = JSON.parse(source) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const op = doc.paths['/api/customers']?.get;
    expect(op).toBeDefined();
    if (op) {
      delete op.operationId;
      op.responses = { '200': (op.responses as Record<string, unknown>)['200'] };
    }
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'broken.json', config });
    const rules = new Set(problems.map((p) => p.ruleId));
    expect(rules).toContain('operation-operationId');
    expect(rules).toContain('operation-4xx-response');
  });
});
