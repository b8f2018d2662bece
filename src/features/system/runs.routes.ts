import { AppError } from '../../platform/errors.js';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { text } from '../../platform/i18n.js';
import { RunsQuery, RunsResponse, RunStatusResponse } from './runs.contract.js';
import { listRuns, runStatus } from './runs.service.js';

// The runs status (issue 18). operation_runs holds no customer data, so neither route filters its
// rows by the reader's scope (runs.service.ts).

export async function runsRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/system/runs',
    {
      config: { access: { permission: 'system.runs' } },
      schema: {
        tags: ['system'],
        summary:
          "Every load and daily batch, newest first (the department and branch heads): business date, start, duration, rows, outcome, a batch's steps, a load's files, a refused load's problems by file, line and column; filtered by kind, outcome and business date, paged",
        querystring: RunsQuery,
        response: { 200: RunsResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => ({ data: await listRuns(db, req.query) }),
  );

  api.get(
    '/api/system/runs/latest',
    {
      // anyone signed in, whatever their role: every page's header shows it (nothing of a customer in it)
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        // public to the access guard (no permission: every role), yet it needs the session
        security: [{ session: [] }],
        summary: "For every page's header: the latest loaded business date, and whether last night's run is late (the newest run failed, or the latest successful batch is more than 26 hours old); 401 when nobody is signed in",
        response: { 200: RunStatusResponse, 401: ErrorResponse },
      },
    },
    async (req) => {
      if (!req.user) throw new AppError('unauthenticated', text('请先登录。', 'Please sign in.'));
      return { data: await runStatus(db) };
    },
  );
}
