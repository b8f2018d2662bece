import { describe, expect, it } from 'vitest';
import { bearerMatches, HttpMetrics, isLoopback } from './metrics.js';

describe('metrics helpers', () => {
  it('tells this machine from others, in IPv4, IPv6 and IPv4 written as IPv6', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of [undefined, '', '10.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '127.0.0.1.example', 'fe80::1', '::2', '0.0.0.0']) expect(isLoopback(a), String(a)).toBe(false);
  });

  it('takes the token only as Authorization: Bearer <token>, exactly', () => {
    const token = 'b7f3c1d2e5a49680';
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    for (const h of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, `Bearer ${token} extra`, 'Bearer ']) expect(bearerMatches(h, token), String(h)).toBe(false);
  });

  it('counts a request by method, route pattern and status; no route is "unmatched"', async () => {
    const m = new HttpMetrics();
    m.observe('GET', '/api/customers/:customerId', 200, 12);
    m.observe('GET', undefined, 404, 1);
    const text = await m.registry.metrics();
    expect(text).toContain('stratum_http_requests_total{method="GET",route="/api/customers/:customerId",status_code="200"} 1');
    expect(text).toContain('stratum_http_request_duration_seconds_bucket{le="0.025",method="GET",route="/api/customers/:customerId",status_code="200"} 1');
    expect(text).toContain('stratum_http_request_duration_seconds_bucket{le="0.01",method="GET",route="/api/customers/:customerId",status_code="200"} 0');
    expect(text).toContain('stratum_http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
  });
});
