import { z } from 'zod';
import { ErrorResponse, type Api, type AppDeps } from '../../platform/http.js';
import { latestLoadedDate } from './system.service.js';

const Health = z.object({
  data: z.object({
    status: z.literal('ok'),
    engine: z.enum(['pglite', 'postgres']),
    latestBusinessDate: z.string().nullable(),
  }),
});

export async function systemRoutes(api: Api, { db }: AppDeps): Promise<void> {
  api.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Whether the server and its database answer, and the latest loaded business date',
        tags: ['system'],
        // 400: an address that is not valid (a broken %-escape), as for every route
        response: { 200: Health, 400: ErrorResponse },
      },
    },
    async () => ({ data: { status: 'ok' as const, engine: db.engine, latestBusinessDate: await latestLoadedDate(db) } }),
  );
}
