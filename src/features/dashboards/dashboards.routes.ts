import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { signedIn } from '../access/access.guard.js';
import { BandsQuery, BandsResponse, BranchDashboardResponse, ItemsQuery, ItemsResponse, PeriodQuery, RankingQuery, RankingResponse } from './dashboards.contract.js';
import { bandMonths, branchDashboard, branchRanking, dashboardItems } from './dashboards.service.js';

// The branch and department dashboards (issue 20 §2): parse → authorize → service → present.

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const config = { access: { permission: 'reports.dashboards' } } as const;
const tags = ['dashboards'];

export async function dashboardRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/dashboards/branch',
    {
      config,
      schema: {
        tags,
        summary: 'The branch dashboard for a period A → B (default the latest month) within your scope: churn, contact-plan execution per manager, the opportunity funnel, referrals by referrer and outcome, events handled',
        querystring: PeriodQuery,
        response: { 200: BranchDashboardResponse, ...errors },
      },
    },
    async (req) => ({ data: await branchDashboard(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/dashboards/bands',
    {
      config,
      schema: { tags, summary: "Customers and AUM per aum_band tier at each month's last business date, within your scope", querystring: BandsQuery, response: { 200: BandsResponse, ...errors } },
    },
    async (req) => ({ data: await bandMonths(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/dashboards/branches',
    {
      config,
      schema: { tags, summary: 'The branches under one (default: under the bank) side by side, each with the same figures for the period', querystring: RankingQuery, response: { 200: RankingResponse, ...errors } },
    },
    async (req) => ({ data: await branchRanking(db, signedIn(req), req.query) }),
  );
  api.get(
    '/api/dashboards/items',
    {
      config,
      schema: { tags, summary: 'The customers, plan items, events, referrals or opportunities behind a dashboard number, within your scope, a page at a time', querystring: ItemsQuery, response: { 200: ItemsResponse, ...errors } },
    },
    async (req) => ({ data: await dashboardItems(db, signedIn(req), req.query) }),
  );
}
