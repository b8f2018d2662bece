import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Db } from './db.js';
import { AppError, ERROR_STATUS, type ErrorBody } from './errors.js';
import { logger } from './logger.js';

export type Api = ReturnType<typeof typed>;
export type RegisterRoutes = (api: Api, deps: AppDeps) => Promise<void>;

export interface AppDeps {
  db: Db;
}

/** The HTTP server: JSON API under /api, OpenAPI at /docs, one error shape. */
export async function buildApp(deps: AppDeps, routes: RegisterRoutes[]) {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => {
    let body: ErrorBody;
    if (err instanceof AppError) {
      body = { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } };
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: Record<string, string> = {};
      for (const v of err.validation) fields[v.instancePath.replace(/^\//, '').replace(/\//g, '.') || v.params.issue.path.join('.') || '_'] = v.message ?? 'invalid';
      body = { error: { code: 'bad_request', message: 'Some fields are not valid.', fields } };
    } else if (typeof (err as { statusCode?: number }).statusCode === 'number' && ((err as { statusCode: number }).statusCode) < 500) {
      const status = (err as { statusCode: number }).statusCode;
      const code = status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : 'bad_request';
      body = { error: { code, message: (err as Error).message } };
    } else {
      req.log.error({ err }, 'request failed');
      body = { error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' } };
    }
    void reply.status(ERROR_STATUS[body.error.code]).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `There is nothing at ${req.method} ${req.url}.` } } satisfies ErrorBody);
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Stratum API', version: '0.1.0', description: 'Customer tiering and relationship management for retail bank branches.' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  const api = typed(app);
  for (const register of routes) await register(api, deps);
  await app.ready();
  return app;
}

export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();
