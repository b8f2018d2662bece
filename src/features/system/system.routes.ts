import { z } from 'zod';
import type { Api, AppDeps } from '../../platform/http.js';
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
        response: { 200: Health },
      },
    },
    async () => ({ data: { status: 'ok' as const, engine: db.engine, latestBusinessDate: await latestLoadedDate(db) } }),
  );
}
