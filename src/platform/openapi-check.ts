import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Every answer the tests get, checked against the OpenAPI document the server publishes (issue
// 16): its status must be documented for the operation, its media type among the documented ones,
// and a JSON body must match the JSON Schema the document gives for that status. It checks the
// document, not the zod schemas (those the serializer applies already): what an integrator reads
// at /docs/json is what the server sends.
//
// On only when STRATUM_CHECK_RESPONSES=1 (the test configurations set it); http.ts loads this
// module only then. A mismatch does not change the answer: it is noted in a list that
// test/setup.ts reads after each test, failing it with every mismatch it caused.

export interface Mismatch {
  method: string;
  /** the route's pattern, as the document names it (/api/customers/{customerId}); never the URL */
  path: string;
  status: number;
  problem: string;
  /** how many answers had this same mismatch */
  count: number;
}

type Schema = Record<string, unknown>;
interface DocResponse {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
}
export interface OpenApiDocument {
  openapi?: string;
  paths?: Record<string, Record<string, { responses?: Record<string, DocResponse> }>>;
  components?: Record<string, unknown>;
}

export const checkingResponses = () => process.env.STRATUM_CHECK_RESPONSES === '1';

const LIST = Symbol.for('stratum.openapiResponseMismatches');
const list = (): Mismatch[] => ((globalThis as Record<symbol, Mismatch[]>)[LIST] ??= []);

/** The mismatches noted since the last call, and the list emptied. */
export function takeResponseMismatches(): Mismatch[] {
  const found = list();
  return found.splice(0, found.length);
}

function note(m: Omit<Mismatch, 'count'>) {
  const found = list();
  const same = found.find((x) => x.method === m.method && x.path === m.path && x.status === m.status && x.problem === m.problem);
  if (same) same.count++;
  else if (found.length < 500) found.push({ ...m, count: 1 });
}

export function describeMismatches(found: Mismatch[]): string {
  return [
    `${found.length} answer(s) do not match the OpenAPI document (/docs/json): fix the route's response schema, or what the code sends`,
    ...found.map((m) => `  ${m.method} ${m.path} → ${m.status}: ${m.problem}${m.count > 1 ? ` (×${m.count})` : ''}`),
  ].join('\n');
}

/** /api/customers/:customerId → /api/customers/{customerId}, as @fastify/swagger names paths. */
export const documentPath = (route: string) => route.replace(/:(\w+)(\([^)]*\))?/g, '{$1}');

const mediaType = (contentType: unknown) => (typeof contentType === 'string' ? (contentType.split(';')[0] ?? '').trim().toLowerCase() : '');
const isJson = (media: string) => media === 'application/json' || media.endsWith('+json');

/** OpenAPI 3.0's schema dialect (draft 4's boolean exclusiveMinimum/Maximum) as the JSON Schema Ajv reads. */
function fromOpenApi30(value: unknown, depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => fromOpenApi30(v, depth + 1));
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) out[k] = fromOpenApi30(v, depth + 1);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  return out;
}

/**
 * Checks answers against one OpenAPI document (3.0: Ajv's draft-07 with OpenAPI's `nullable`,
 * which Ajv reads; 3.1: JSON Schema 2020-12). Schemas are compiled on first use.
 */
export class ResponseChecker {
  private readonly ajv: Ajv;
  private readonly v30: boolean;
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    this.v30 = !doc.openapi?.startsWith('3.1');
    this.ajv = this.v30 ? new Ajv({ strict: false, allErrors: true }) : new Ajv2020({ strict: false, allErrors: true });
    (formatsPlugin as unknown as (a: Ajv) => void)(this.ajv);
    // OpenAPI's own formats: sizes and hints that constrain nothing JSON can tell apart
    for (const f of ['int32', 'int64', 'float', 'double', 'binary', 'password']) this.ajv.addFormat(f, true);
  }

  /**
   * What is wrong with one answer ([] when nothing): `route` is the route's pattern (null: no
   * route matched, which is not checked), `body` the payload (JSON text, bytes, a stream, nothing).
   */
  check(method: string, route: string | undefined, status: number, contentType: unknown, body: unknown): string[] {
    if (route === undefined) return [];
    const path = documentPath(route);
    const methods = this.doc.paths?.[path];
    const op = methods?.[method === 'HEAD' && !methods.head ? 'get' : method.toLowerCase()];
    if (!op) return route.startsWith('/api/') ? ['the operation is not in the document'] : [];
    const responses = op.responses ?? {};
    const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!documented) {
      // a 5xx is a failure of its own (the tests that meet one fail), documented or not
      return status >= 500 ? [] : [`status ${status} is not documented (the document has ${Object.keys(responses).join(', ') || 'none'})`];
    }
    const media = mediaType(contentType);
    const empty = body === undefined || body === null || body === '' || (Buffer.isBuffer(body) && body.length === 0);
    const content = documented.content;
    if (!content || Object.keys(content).length === 0) return empty || method === 'HEAD' ? [] : [`a body (${media || 'no content type'}) the document does not describe`];
    if (empty && (method === 'HEAD' || status === 304)) return [];
    const entry = content[media] ?? content[`${media.split('/')[0]}/*`] ?? content['*/*'];
    if (!entry) return [`content type ${media || '(none)'} is not documented (the document has ${Object.keys(content).join(', ')})`];
    if (!isJson(media) || !entry.schema || method === 'HEAD') return [];
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return [];
    let value: unknown;
    try {
      value = JSON.parse(body.toString());
    } catch {
      return ['the body is not JSON'];
    }
    const validate = this.validator(entry.schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 8).map(explain);
  }

  private validator(schema: Schema): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      const prepared = (this.v30 ? fromOpenApi30(schema) : schema) as Schema;
      // #/components/… references resolve inside the document's components
      v = this.ajv.compile({ ...prepared, ...(this.doc.components ? { components: this.doc.components } : {}) });
      this.compiled.set(schema, v);
    }
    return v;
  }
}

function explain(e: ErrorObject): string {
  const at = e.instancePath || '(the body)';
  const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}'` : e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : '';
  return `${at} ${e.message ?? e.keyword}${extra} (schema ${e.schemaPath})`;
}

/** The onSend hook: each answer checked against the document the app publishes (read on the first answer). */
export function responseCheckHook(app: FastifyInstance) {
  let checker: ResponseChecker | undefined;
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const route = req.routeOptions.url;
    if (route === undefined) return payload;
    checker ??= new ResponseChecker(app.swagger() as OpenApiDocument);
    for (const problem of checker.check(req.method, route, reply.statusCode, reply.getHeader('content-type'), payload)) {
      note({ method: req.method, path: documentPath(route), status: reply.statusCode, problem });
    }
    return payload;
  };
}
