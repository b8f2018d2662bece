import type { FastifyRequest } from 'fastify';
import { smsSettings } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { ErrorResponse, parseJsonBody, typed, type Api, type AppDeps } from '../../platform/http.js';
import { text } from '../../platform/i18n.js';
import * as c from './sms.contract.js';
import { recordInbound, recordReceipts, validSignature } from './sms.webhooks.js';

// The SMS gateway's webhooks (no session: the gateway calls them, signed with the shared secret)
// (a campaign's figures for the staff: campaigns.routes.ts).

export const SIGNATURE_HEADER = 'x-stratum-signature';
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const tags = ['sms'];

const unsigned = () =>
  new AppError('unauthenticated', text('短信网关回调的签名缺失或不正确。', 'The webhook is not signed, or its X-Stratum-Signature is wrong.'));

export async function smsRoutes(api: Api, { db }: AppDeps): Promise<void> {
  // The webhooks' own reading of a body: the signature is checked on the raw bytes before anything
  // is parsed (an unsigned request is answered 401 whatever it holds)
  await api.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer | string, done) => {
      const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      let secret: string | undefined;
      try {
        secret = smsSettings().webhookSecret;
      } catch {
        secret = undefined;
      }
      if (!validSignature(secret, raw, req.headers[SIGNATURE_HEADER])) return done(unsigned(), undefined);
      try {
        const s = raw.toString('utf8');
        done(null, s.trim() === '' ? undefined : parseJsonBody(s));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    // a webhook without a body (no content type) is unsigned too
    scope.addHook('preValidation', async (req) => {
      if (req.body === undefined) throw unsigned();
    });
    const hooks = typed(scope);
    const signedSecurity = [{ signature: [] }];
    hooks.post(
      '/api/sms/receipts',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Delivery receipts from the SMS gateway (signed: X-Stratum-Signature = hex HMAC-SHA256 of the raw body); a repeated receipt changes nothing, one for an unknown gateway_id is ignored',
          security: signedSecurity,
          body: c.ReceiptsBody,
          response: { 200: c.ReceiptsResponse, ...errors },
        },
      },
      async (req) => ({ data: await recordReceipts(db, req.body.receipts) }),
    );
    hooks.post(
      '/api/sms/inbound',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: "A customer's reply from the SMS gateway (signed like the receipts): R, TD, T or 退订 opts every customer with that phone out of marketing messages at once (audited as the customer's own act); other replies are not kept",
          security: signedSecurity,
          body: c.InboundBody,
          response: { 200: c.InboundResponse, ...errors },
        },
      },
      async (req) => ({ data: await recordInbound(db, req.body) }),
    );
  });
}
