import { AppError } from '../../platform/errors.js';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { text } from '../../platform/i18n.js';
import { CSRF_HEADER, SESSION_COOKIE, SessionResponse, SignedOut, SignInBody, type CurrentUser } from './access.contract.js';
import { checkCsrf } from './access.guard.js';
import { bankName, signIn, signOut, type AccessSettings, type SignedInUser } from './access.service.js';


export function accessRoutes(settings: AccessSettings) {
  return async (api: Api, { db }: AppDeps): Promise<void> => {
    const present = async (u: SignedInUser): Promise<CurrentUser> => ({
      login: u.login,
      name: u.name,
      role: u.role,
      branch: u.branchId ? { id: u.branchId, name: u.branchName ?? u.branchId } : null,
      bankName: await bankName(db),
      permissions: [...u.permissions],
      csrfToken: u.csrfToken,
      idleMinutes: settings.idleMinutes,
    });

    api.post(
      '/api/session',
      {
        config: { access: 'public', rateLimit: {}, auditMalformedAs: 'sign_in_failed' },
        schema: {
          tags: ['session'],
          summary: 'Sign in with a staff number (or administrator login) and password; sets the session cookie',
          body: SignInBody,
          response: { 200: SessionResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
        },
      },
      async (req, reply) => {
        const { token, user } = await signIn(db, settings, req.body.login, req.body.password, { ip: req.ip });
        void reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: req.protocol === 'https',
          // no maxAge: the cookie ends with the browser; the server ends idle sessions itself
        });
        return { data: await present(user) };
      },
    );

    api.get(
      '/api/session',
      {
        config: { access: 'public' },
        schema: { tags: ['session'], summary: 'Who is signed in (401 when nobody is)', response: { 200: SessionResponse, 401: ErrorResponse } },
      },
      async (req) => {
        if (!req.user) throw new AppError('unauthenticated', text('请先登录。', 'Please sign in.'));
        return { data: await present(req.user) };
      },
    );

    api.delete(
      '/api/session',
      {
        config: { access: 'public' },
        schema: {
          tags: ['session'],
          summary: `Sign out (send the ${CSRF_HEADER} header)`,
          security: [{ session: [], csrf: [] }],
          response: { 200: SignedOut, 403: ErrorResponse },
        },
      },
      async (req, reply) => {
        // signing out changes state, so it needs the CSRF token; without a session it is a no-op
        if (req.user) {
          checkCsrf(req, req.user);
          await signOut(db, req.user.tokenHash);
        }
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { data: { signedOut: true as const } };
      },
    );
  };
}
