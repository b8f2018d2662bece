import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

// Prometheus metrics (issue 18): registries of our own, never prom-client's global one. The
// process's own metrics (CPU, memory, event loop, GC) are one registry per process, made on the
// first scrape; each app counts its requests in its own (buildApp's onResponse hook), labelled by
// route pattern, never by URL; what the database says (loads, batches) is read at scrape time
// into a registry made for that scrape (features/system/health.service.ts). Never a customer's
// data in a label.

/** the label of a request no route matched (an unknown address, a malformed one) */
export const UNMATCHED_ROUTE = 'unmatched';

/** seconds: from a quick read to a heavy page or a large download */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const LABELS = ['method', 'route', 'status_code'] as const;

/** One app's requests: their count and time by method, route pattern and status. */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: 'stratum_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern (unmatched: no route) and status',
    labelNames: LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'stratum_http_requests_total',
    help: 'Requests answered, by method, route pattern (unmatched: no route) and status',
    labelNames: LABELS,
    registers: [this.registry],
  });

  /** `route` is the route's pattern (/api/customers/:customerId), undefined when none matched; `ms` the time to answer */
  observe(method: string, route: string | undefined, status: number, ms: number): void {
    const labels = { method, route: route ?? UNMATCHED_ROUTE, status_code: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, ms / 1000);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** this app's request metrics (buildApp), read by GET /metrics */
    httpMetrics: HttpMetrics;
  }
}

let processRegistry: Registry | undefined;

/** The process's metrics (stratum_process_*, stratum_nodejs_*), registered once per process. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'stratum_' });
  }
  return processRegistry;
}

/** The text a scrape gets: the given registries as one (Prometheus text format 0.0.4). */
export async function metricsText(registries: Registry[]): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge(registries);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

/** 127.0.0.0/8 and ::1, also written as IPv4 in IPv6 (::ffff:127.0.0.1) */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Whether a request comes from this machine, as the app sees client addresses: with
 * STRATUM_TRUST_PROXY=1 every address of the chain (the proxy's and those it forwards) must be
 * loopback, so that a remote client cannot pass for a local one by sending its own
 * X-Forwarded-For: 127.0.0.1 through the proxy; without it, the connection's address.
 */
export function fromLoopback(req: FastifyRequest): boolean {
  const chain = (req as { ips?: string[] }).ips ?? [req.ip];
  return chain.length > 0 && chain.every(isLoopback);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` carries exactly `token` (compared in constant time). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  // digests of equal length: the comparison takes the same time whatever was sent
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}
