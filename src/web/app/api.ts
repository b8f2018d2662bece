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

/** What came back for one request: its status and its JSON (null when the body was not JSON). */
interface Answer {
  ok: boolean;
  status: number;
  statusText: string;
  payload: unknown;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
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
  return { ok: response.ok, status: response.status, statusText: response.statusText, payload };
}

// Early requests: the first screen's GETs (who is signed in, the page's first data) are sent while
// the app's code still downloads (main.tsx); the first apiRequest for the same address, in the same
// language, within a few seconds takes the answer instead of asking again. Anything that changes
// data drops them.
const EARLY_TTL_MS = 10_000;
const early = new Map<string, { at: number; answer: Promise<Answer> }>();
const earlyKey = (url: string) => `${language} ${url}`;

/** Sends a GET now, for the first apiRequest of the same address to take (see above). */
export function requestEarly(path: string, query?: Record<string, QueryValue>): void {
  const url = withQuery(path, query);
  const key = earlyKey(url);
  if (early.has(key)) return;
  const answer = send(url, { method: 'GET', headers: { Accept: 'application/json', 'Accept-Language': language } });
  answer.catch(() => undefined); // an early request nobody takes must not be an unhandled rejection
  early.set(key, { at: performance.now(), answer });
}

function takeEarly(url: string): Promise<Answer> | undefined {
  const key = earlyKey(url);
  const hit = early.get(key);
  if (!hit) return undefined;
  early.delete(key);
  return performance.now() - hit.at <= EARLY_TTL_MS ? hit.answer : undefined;
}

/** An early answer, unless the caller gives up first (then the answer stays for the next caller). */
function awaitEarly(url: string, answer: Promise<Answer>, signal: AbortSignal | undefined): Promise<Answer> {
  if (!signal) return answer;
  const at = performance.now();
  return new Promise<Answer>((resolve, reject) => {
    const onAbort = () => {
      early.set(earlyKey(url), { at, answer });
      reject(new DOMException('The request was aborted.', 'AbortError'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    answer.then(
      (a) => {
        signal.removeEventListener('abort', onAbort);
        resolve(a);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Sends one request and returns its `data`; throws ApiError with the server's message. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const url = withQuery(path, options.query);
  if (method !== 'GET') early.clear();
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const earlyAnswer = method === 'GET' ? takeEarly(url) : undefined;
  const { ok, status, statusText, payload } = earlyAnswer
    ? await awaitEarly(url, earlyAnswer, options.signal)
    : await send(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
  if (ok && isRecord(payload) && 'data' in payload) return payload.data as T;
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : {};
  const code = typeof error.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error.message === 'string' ? error.message : `${status} ${statusText}`;
  const fields = isRecord(error.fields) ? (error.fields as Record<string, string>) : undefined;
  if (status === 401 && !options.allowUnauthenticated) onUnauthenticated?.();
  throw new ApiError(status, code, message, fields);
}

export const sessionApi = {
  current: (signal?: AbortSignal) => apiRequest<CurrentUser>('/api/session', { signal, allowUnauthenticated: true }),
  signIn: (login: string, password: string) =>
    apiRequest<CurrentUser>('/api/session', { method: 'POST', body: { login, password }, allowUnauthenticated: true }),
  signOut: () => apiRequest<{ signedOut: true }>('/api/session', { method: 'DELETE', allowUnauthenticated: true }),
};
