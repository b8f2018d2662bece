import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from './db.js';
import { buildApp, ErrorResponse, type Api } from './http.js';
import { checkingResponses, documentPath, ResponseChecker, takeResponseMismatches, type OpenApiDocument } from './openapi-check.js';

const doc: OpenApiDocument = {
  openapi: '3.0.3',
  paths: {
    '/api/things/{thingId}': {
      get: {
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['data'],
                  additionalProperties: false,
                  properties: {
                    data: {
                      type: 'object',
                      required: ['id', 'kind', 'size'],
                      properties: {
                        id: { type: 'string' },
                        kind: { type: 'string', enum: ['a', 'b', null], nullable: true },
                        size: { type: 'number', minimum: 0, exclusiveMinimum: true },
                        at: { type: 'string', format: 'date-time' },
                        ref: { $ref: '#/components/schemas/Ref' },
                      },
                    },
                  },
                },
              },
            },
          },
          '404': { content: { 'application/json': { schema: { type: 'object', required: ['error'] } } } },
        },
      },
    },
    '/api/files': { get: { responses: { '200': { content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } } }, '4XX': { content: { 'application/json': { schema: {} } } } } } },
  },
  components: { schemas: { Ref: { type: 'integer', format: 'int64' } } },
};

describe('ResponseChecker: an answer against the document', () => {
  const checker = new ResponseChecker(doc);
  const get = (body: unknown, status = 200, type = 'application/json; charset=utf-8') => checker.check('GET', '/api/things/:thingId', status, type, JSON.stringify(body));

  it('passes an answer that matches, with OpenAPI 3.0 nullable and a $ref into components', () => {
    expect(get({ data: { id: 'T1', kind: null, size: 2, at: '2026-11-20T01:02:03.000Z', ref: 7 } })).toEqual([]);
    expect(get({ data: { id: 'T1', kind: 'a', size: 0.5 } })).toEqual([]);
    expect(get({ error: { code: 'not_found' } }, 404)).toEqual([]);
  });

  it('catches a wrong body: a missing or mistyped field, a value outside the enum, an extra key, a bad format, the boundary of exclusiveMinimum (3.0, boolean)', () => {
    expect(get({ data: { kind: 'a', size: 1 } }).join()).toMatch(/must have required property 'id'/);
    expect(get({ data: { id: 1, kind: 'a', size: 1 } }).join()).toMatch(/\/data\/id must be string/);
    expect(get({ data: { id: 'T1', kind: 'c', size: 1 } }).join()).toMatch(/\/data\/kind must be equal to one of the allowed values/);
    expect(get({ data: { id: 'T1', kind: 'a', size: 1 }, more: 1 }).join()).toMatch(/must NOT have additional properties 'more'/);
    expect(get({ data: { id: 'T1', kind: 'a', size: 1, at: '20 November' } }).join()).toMatch(/\/data\/at must match format "date-time"/);
    expect(get({ data: { id: 'T1', kind: 'a', size: 0 } }).join()).toMatch(/\/data\/size must be > 0/);
    expect(get({ data: { id: 'T1', kind: 'a', size: 1, ref: 'x' } }).join()).toMatch(/\/data\/ref must be integer/);
  });

  it('catches an undocumented status (not a 5xx), an undocumented content type, a body that is not JSON, an operation missing from the document', () => {
    expect(get({ data: {} }, 409)).toEqual(['status 409 is not documented (the document has 200, 404)']);
    expect(get({ data: {} }, 500)).toEqual([]);
    expect(get({ data: { id: 'T1', kind: 'a', size: 1 } }, 200, 'text/html')).toEqual(['content type text/html is not documented (the document has application/json)']);
    expect(checker.check('GET', '/api/things/:thingId', 200, 'application/json', '<html>')).toEqual(['the body is not JSON']);
    expect(checker.check('POST', '/api/things/:thingId', 200, 'application/json', '{}')).toEqual(['the operation is not in the document']);
    expect(checker.check('GET', '/api/other', 200, 'application/json', '{}')).toEqual(['the operation is not in the document']);
    // what is not under /api (the web app, the documentation page) is not the document's
    expect(checker.check('GET', '/*', 200, 'text/html', '<html>')).toEqual([]);
  });

  it('checks a file answer for its status and type only, and its errors through a 4XX range', () => {
    expect(checker.check('GET', '/api/files', 200, 'text/csv; charset=utf-8', Buffer.from('a,b\n'))).toEqual([]);
    expect(checker.check('GET', '/api/files', 200, 'application/pdf', Buffer.from('%PDF'))).toEqual(['content type application/pdf is not documented (the document has text/csv)']);
    expect(checker.check('GET', '/api/files', 403, 'application/json', '{"error":{}}')).toEqual([]);
    expect(checker.check('HEAD', '/api/files', 200, 'text/csv', '')).toEqual([]);
  });

  it('names paths as the document does', () => {
    expect(documentPath('/api/worklist/reminders/:customerId/:event/:occurrence')).toBe('/api/worklist/reminders/{customerId}/{event}/{occurrence}');
  });
});

// The hook in a real server: its answers are noted when they differ from what /docs/json says.
describe('the server under STRATUM_CHECK_RESPONSES=1', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    const routes = async (api: Api) => {
      const Thing = z.object({ data: z.object({ id: z.string() }) });
      api.get('/api/good', { config: { access: 'public' }, schema: { summary: 'good', response: { 200: Thing, 400: ErrorResponse } } }, async () => ({ data: { id: 'x' } }));
      // answers a status its schema does not list
      api.get('/api/teapot', { config: { access: 'public' }, schema: { summary: 'teapot', response: { 200: Thing } } }, async (_req, reply) => reply.code(418 as 200).send({ data: { id: 'x' } }));
      // says JSON, sends text
      api.get('/api/text', { config: { access: 'public' }, schema: { summary: 'text', response: { 200: Thing } } }, async (_req, reply) => reply.type('text/plain').send('hello' as never));
    };
    app = await buildApp({ db: {} as Db }, [routes]);
  });
  afterAll(async () => {
    await app.close();
  });

  it('is on in every test run', () => {
    expect(checkingResponses()).toBe(true);
  });

  it('notes nothing for an answer that matches, and each mismatch with its operation and status', async () => {
    takeResponseMismatches();
    expect((await app.inject({ method: 'GET', url: '/api/good' })).statusCode).toBe(200);
    expect(takeResponseMismatches()).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/teapot' })).statusCode).toBe(418);
    await app.inject({ method: 'GET', url: '/api/teapot' });
    await app.inject({ method: 'GET', url: '/api/text' });
    // an address no route answers is not checked
    await app.inject({ method: 'GET', url: '/api/nowhere' });
    const found = takeResponseMismatches();
    expect(found).toEqual([
      { method: 'GET', path: '/api/teapot', status: 418, problem: 'status 418 is not documented (the document has 200)', count: 2 },
      { method: 'GET', path: '/api/text', status: 200, problem: 'content type text/plain is not documented (the document has application/json)', count: 1 },
    ]);
  });
});
