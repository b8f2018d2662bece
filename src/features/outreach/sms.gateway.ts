import type { SmsSettings } from '../../platform/config.js';

// The one HTTP contract Stratum speaks with an SMS gateway (docs/sms-gateway.md). A provider's own
// API gets an adapter that speaks this contract; the fake gateway (fake-gateway.ts) speaks it too.

/** At most this many messages in one request. */
export const GATEWAY_BATCH = 100;

export interface GatewayMessage {
  /** Stratum's message id: the gateway's idempotency key (the same ref again is the same message) */
  ref: string;
  phone: string;
  text: string;
}

export interface GatewayResult {
  ref: string;
  gateway_id: string | null;
  status: 'accepted' | 'rejected';
  reason: string | null;
}

/** The gateway could not be reached, or kept answering 5xx, after every retry: the messages stay 'sending'. */
export class GatewayUnavailable extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseResults(body: unknown, sent: readonly GatewayMessage[]): GatewayResult[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new GatewayUnavailable('the gateway answered without a results list');
  const refs = new Set(sent.map((m) => m.ref));
  const out: GatewayResult[] = [];
  for (const r of results as Record<string, unknown>[]) {
    const ref = typeof r?.ref === 'string' ? r.ref : null;
    if (!ref || !refs.has(ref)) continue; // an answer about a message not sent in this request says nothing
    const status = r.status === 'accepted' ? 'accepted' : 'rejected';
    const gatewayId = typeof r.gateway_id === 'string' && r.gateway_id ? r.gateway_id : null;
    out.push({ ref, gateway_id: gatewayId, status: status === 'accepted' && !gatewayId ? 'rejected' : status, reason: typeof r.reason === 'string' ? r.reason : status === 'accepted' && !gatewayId ? 'accepted without a gateway id' : null });
  }
  return out;
}

/**
 * Posts up to GATEWAY_BATCH messages; the gateway's answer per message. A 5xx, a timeout or a
 * refused connection is tried again after a wait doubled each time (settings.retries times), then
 * GatewayUnavailable; a 4xx (a wrong token, a malformed request) is not retried.
 */
export async function postMessages(settings: SmsSettings, messages: readonly GatewayMessage[]): Promise<GatewayResult[]> {
  if (!settings.url) throw new GatewayUnavailable('no SMS gateway is set (STRATUM_SMS_URL)');
  if (messages.length > GATEWAY_BATCH) throw new Error(`at most ${GATEWAY_BATCH} messages a request, not ${messages.length}`);
  const body = JSON.stringify({ messages });
  let last = '';
  for (let attempt = 0; attempt <= settings.retries; attempt++) {
    if (attempt > 0) await sleep(settings.backoffMs * 2 ** (attempt - 1));
    let res: Response;
    try {
      res = await fetch(settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}) },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (e) {
      last = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : `not reachable (${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)})`;
      continue;
    }
    if (res.status >= 500) {
      last = `answered ${res.status}`;
      await res.body?.cancel();
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new GatewayUnavailable(`the SMS gateway refused the request (${res.status}${res.status === 401 || res.status === 403 ? ': check STRATUM_SMS_TOKEN' : ''})`);
    }
    return parseResults(await res.json().catch(() => null), messages);
  }
  throw new GatewayUnavailable(`the SMS gateway ${last} after ${settings.retries + 1} tries`);
}
