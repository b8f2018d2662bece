import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { signedIn } from '../access/access.guard.js';
import {
  AumHistoryQuery,
  AumHistoryResponse,
  BranchesResponse,
  Customer360Response,
  CustomerIdParams,
  CustomerListQuery,
  CustomerListResponse,
  TransactionsQuery,
  TransactionsResponse,
} from './customers.contract.js';
import { branchesForFilter, customer360, customerAumHistory, customerList, customerTransactions } from './customers.service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const read = { access: { permission: 'customers.read' } } as const;

export async function customerRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/customers',
    {
      config: read,
      schema: {
        tags: ['customers'],
        summary: 'Customers within your scope: filter, search, sort, page (AUM of the latest business date)',
        querystring: CustomerListQuery,
        response: { 200: CustomerListResponse, ...errors },
      },
    },
    async (req) => ({ data: await customerList(db, signedIn(req), req.query) }),
  );

  api.get(
    '/api/customers/:customerId',
    {
      config: read,
      schema: {
        tags: ['customers'],
        summary: 'The customer 360: profile (masked), AUM and balances by kind, accounts, cards, loans',
        params: CustomerIdParams,
        response: { 200: Customer360Response, ...errors },
      },
    },
    async (req) => ({ data: await customer360(db, signedIn(req), req.params.customerId) }),
  );

  api.get(
    '/api/customers/:customerId/aum-history',
    {
      config: read,
      schema: {
        tags: ['customers'],
        summary: "The customer's AUM and balances per business date over the last N days",
        params: CustomerIdParams,
        querystring: AumHistoryQuery,
        response: { 200: AumHistoryResponse, ...errors },
      },
    },
    async (req) => ({ data: await customerAumHistory(db, signedIn(req), req.params.customerId, req.query.days) }),
  );

  api.get(
    '/api/customers/:customerId/transactions',
    {
      config: read,
      schema: {
        tags: ['customers'],
        summary: "The customer's transactions, newest first, paged",
        params: CustomerIdParams,
        querystring: TransactionsQuery,
        response: { 200: TransactionsResponse, ...errors },
      },
    },
    async (req) => ({ data: await customerTransactions(db, signedIn(req), req.params.customerId, req.query.page, req.query.pageSize) }),
  );

  api.get(
    '/api/branches',
    {
      config: read,
      schema: { tags: ['customers'], summary: 'Branches within your scope (for the branch filter)', response: { 200: BranchesResponse, ...errors } },
    },
    async (req) => ({ data: await branchesForFilter(db, signedIn(req)) }),
  );
}
