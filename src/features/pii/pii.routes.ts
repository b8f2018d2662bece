import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { signedIn } from '../access/access.guard.js';
import { CustomerIdParams } from '../customers/customers.contract.js';
import { RevealBody, RevealResponse } from './pii.contract.js';
import { revealFields } from './pii.service.js';

export async function piiRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.post(
    '/api/customers/:customerId/reveal',
    {
      // every customer-reading role reaches the route; which fields it may reveal is decided per
      // role inside, so a refusal is audited too
      config: { access: { permission: 'customers.read' } },
      schema: {
        tags: ['customers'],
        summary: 'Show masked values (phone, ID number, address) in full, with a reason; audited; never cached',
        params: CustomerIdParams,
        body: RevealBody,
        response: { 200: RevealResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    // never cached, as every API answer (platform/http.ts)
    async (req) => {
      return { data: await revealFields(db, signedIn(req), req.params.customerId, req.body, { ip: req.ip }) };
    },
  );
}
