import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_BATCH } from './sms.gateway.js';

// A fake SMS gateway speaking Stratum's contract (docs/sms-gateway.md), for the demo, the tests and
// the benchmark: messages accepted (a Chinese mobile number) or rejected (anything else), each ref
// once (the same ref again is answered with the same gateway id and not delivered twice), and
// delivery receipts posted, signed, to Stratum's webhook shortly after.

export interface FakeGatewayOptions {
  /** default 0: any free port on 127.0.0.1 */
  port?: number;
  /** the bearer token it requires; unset: any */
  token?: string;
  /** where to post delivery receipts (Stratum's POST /api/sms/receipts); unset: none sent */
  receiptsUrl?: string;
  /** the key of X-Stratum-Signature on the receipts */
  webhookSecret?: string;
  /** how long after accepting a message its receipt is posted (default 200 ms) */
  receiptDelayMs?: number;
  /** a test's hook: runs before a request is answered (the request's number from 1, its refs) */
  beforeAnswer?: (request: number, refs: string[]) => Promise<void> | void;
}

export interface FakeMessage {
  gatewayId: string;
  phone: string;
  text: string;
  status: 'accepted' | 'rejected';
  reason: string | null;
  /** how many times the ref was posted (1 unless resent) */
  posted: number;
  /** the receipt was posted to Stratum */
  receiptSent: boolean;
}

export interface FakeGateway {
  url: string;
  /** every message by ref: what was delivered, once each */
  messages: Map<string, FakeMessage>;
  /** requests answered with results (not refused) */
  requests: () => number;
  /** the next n requests are answered 503 (the sender's retry) */
  failNext: (n: number) => void;
  /** receipts not yet posted have gone out */
  flushReceipts: () => Promise<void>;
  close: () => Promise<void>;
}

const MOBILE = /^1[3-9]\d{9}$/;

export const signBody = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

export async function startFakeGateway(o: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const messages = new Map<string, FakeMessage>();
  let answered = 0;
  let failing = 0;
  let pending: { gateway_id: string; status: 'delivered'; at: string }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();
  const delay = o.receiptDelayMs ?? 200;

  const postReceipts = async () => {
    timer = null;
    const receipts = pending;
    pending = [];
    if (!o.receiptsUrl || receipts.length === 0) return;
    for (let i = 0; i < receipts.length; i += 1000) {
      const body = JSON.stringify({ receipts: receipts.slice(i, i + 1000) });
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const res = await fetch(o.receiptsUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-stratum-signature': signBody(o.webhookSecret ?? '', body) }, body });
          await res.body?.cancel();
          if (res.ok) break;
        } catch {
          // Stratum not up (yet): tried again
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  };
  const schedule = () => {
    if (timer || !o.receiptsUrl) return;
    timer = setTimeout(() => {
      const p = postReceipts().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }, delay);
  };

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
        if (o.token && req.headers.authorization !== `Bearer ${o.token}`) return answer(res, 401, { error: 'wrong token' });
        if (failing > 0) {
          failing--;
          return answer(res, 503, { error: 'busy' });
        }
        let list: { ref?: unknown; phone?: unknown; text?: unknown }[];
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: unknown };
          if (!Array.isArray(parsed.messages) || parsed.messages.length > GATEWAY_BATCH) throw new Error('messages');
          list = parsed.messages as typeof list;
        } catch {
          return answer(res, 400, { error: `a JSON body {"messages": [...]} of at most ${GATEWAY_BATCH}` });
        }
        const n = ++answered;
        const results = list.map((m) => {
          const ref = typeof m.ref === 'string' ? m.ref : '';
          const known = messages.get(ref);
          if (known) {
            known.posted++;
            return { ref, gateway_id: known.gatewayId, status: known.status, reason: known.reason };
          }
          const phone = typeof m.phone === 'string' ? m.phone : '';
          const ok = ref !== '' && MOBILE.test(phone) && typeof m.text === 'string' && m.text !== '';
          const msg: FakeMessage = { gatewayId: `fg-${randomUUID()}`, phone, text: typeof m.text === 'string' ? m.text : '', status: ok ? 'accepted' : 'rejected', reason: ok ? null : MOBILE.test(phone) ? 'empty_text' : 'invalid_phone', posted: 1, receiptSent: false };
          if (ref) messages.set(ref, msg);
          if (ok) {
            pending.push({ gateway_id: msg.gatewayId, status: 'delivered', at: new Date().toISOString() });
            msg.receiptSent = Boolean(o.receiptsUrl);
          }
          return { ref, gateway_id: ok ? msg.gatewayId : null, status: msg.status, reason: msg.reason };
        });
        await o.beforeAnswer?.(n, results.map((r) => r.ref));
        schedule();
        answer(res, 200, { results });
      })().catch(() => {
        if (!res.headersSent) answer(res, 500, { error: 'fake gateway failure' });
      });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/messages`,
    messages,
    requests: () => answered,
    failNext: (n) => void (failing = n),
    flushReceipts: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
        await postReceipts();
      }
      await Promise.all([...inFlight]);
    },
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
