import type { z } from 'zod';
import type { GreetingResponse, GreetingsResponse } from '../../../features/greetings/greetings.contract.js';
import { apiRequest } from '../../app/api.js';

// The prepared greetings as the page uses them; types from the shared contract.

export type Greeting = z.infer<typeof GreetingResponse>['data'];

export const greetingsApi = {
  list: (status: Greeting['status'] | 'all', signal: AbortSignal) =>
    apiRequest<z.infer<typeof GreetingsResponse>['data']>(`/api/greetings${status === 'all' ? '' : `?status=${status}`}`, { signal }),
  approve: (id: string) => apiRequest<Greeting>(`/api/greetings/${encodeURIComponent(id)}/approve`, { method: 'POST', body: {} }),
};
