import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { AppDeps } from '../../platform/http.js';
import { text } from '../../platform/i18n.js';
import { CSRF_HEADER, SESSION_COOKIE } from './access.contract.js';
import { can, PERMISSIONS, type Permission } from './access.permissions.js';
import { hashToken, userFromSession, type AccessSettings, type SignedInUser } from './access.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: SignedInUser;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses a request that changes something without its session's CSRF token. */
export function checkCsrf(req: FastifyRequest, user: SignedInUser): void {
  if (req.headers[CSRF_HEADER] !== user.csrfToken) {
    throw new AppError('csrf', text('页面已过期，请刷新后重试。', 'This page is out of date; reload it and try again.'));
  }
}

/**
 * Before any API route: who is signed in (session cookie), whether their role holds the route's
 * permission, and for a request that changes something, the CSRF token of their session.
 */
export function accessGuard(settings: AccessSettings) {
  return async (app: FastifyInstance, { db }: AppDeps): Promise<void> => {
    app.decorateRequest('user', undefined);
    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access && access !== 'public' && !PERMISSIONS.includes(access.permission as Permission)) {
        throw new Error(`route ${route.url} needs the unknown permission '${access.permission}'`);
      }
    });
    app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
      const access = req.routeOptions.config?.access;
      if (!access) return; // not an API route (the web app, /docs)
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        const user = await userFromSession(db, settings, hashToken(token));
        if (user) req.user = user;
      }
      if (access === 'public') return;
      const user = req.user;
      if (!user) {
        throw new AppError('unauthenticated', text('请先登录（或登录已超时，请重新登录）。', 'Please sign in (your session may have timed out).'));
      }
      if (!can(user.role, access.permission as Permission)) {
        throw new AppError('forbidden', text('您的岗位没有这项权限。', 'Your role does not allow this.'));
      }
      if (!SAFE_METHODS.has(req.method)) checkCsrf(req, user);
    });
  };
}

/** The signed-in user of a route that requires one (the guard has run). */
export function signedIn(req: FastifyRequest): SignedInUser {
  if (!req.user) throw new AppError('unauthenticated', text('请先登录。', 'Please sign in.'));
  return req.user;
}
