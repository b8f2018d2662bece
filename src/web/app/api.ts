import type { CurrentUser } from '../../features/access/access.contract.js';

// Typed fetch helpers for the JSON API. Every answer is { data } or { error: { code, message } };
// the server words `message` in the language sent as Accept-Language, so it is shown as is.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let language = 'zh-CN';
let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let networkMessage = 'The server cannot be reached.';

export function setApiLanguage(lang: string): void {
  language = lang;
}
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** Called on a 401 from any request except signing in and the first session check. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}
export function setNetworkMessage(message: string): void {
  networkMessage = message;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** a 401 is an answer here (signing in, checking the session), not a lost session */
  allowUnauthenticated?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Sends one request and returns its `data`; throws ApiError with the server's message. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', networkMessage);
  }
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (response.ok && isRecord(payload) && 'data' in payload) return payload.data as T;
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : {};
  const code = typeof error.code === 'string' ? error.code : `http_${response.status}`;
  const message = typeof error.message === 'string' ? error.message : `${response.status} ${response.statusText}`;
  const fields = isRecord(error.fields) ? (error.fields as Record<string, string>) : undefined;
  if (response.status === 401 && !options.allowUnauthenticated) onUnauthenticated?.();
  throw new ApiError(response.status, code, message, fields);
}

export const sessionApi = {
  current: (signal?: AbortSignal) => apiRequest<CurrentUser>('/api/session', { signal, allowUnauthenticated: true }),
  signIn: (login: string, password: string) =>
    apiRequest<CurrentUser>('/api/session', { method: 'POST', body: { login, password }, allowUnauthenticated: true }),
  signOut: () => apiRequest<{ signedOut: true }>('/api/session', { method: 'DELETE', allowUnauthenticated: true }),
};
