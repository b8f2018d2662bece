import { createHmac, timingSafeEqual } from 'node:crypto';
import { recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { logger } from '../../platform/logger.js';
import { isOptOutReply } from './sms.rules.js';

// What the gateway tells Stratum (docs/sms-gateway.md): delivery receipts, and customers' replies.
// Both may come twice (a gateway retries until it is answered 2xx): a repeated one changes nothing.

const log = logger.child({ component: 'sms' });

/** Whether the signature is the hex HMAC-SHA256 of the raw body with the secret (timing-safe). */
export function validSignature(secret: string | undefined, rawBody: Buffer, signature: unknown): boolean {
  if (!secret || typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature.trim(), 'hex'));
}

export interface Receipt {
  gateway_id: string;
  status: 'delivered' | 'failed';
  at: string;
  reason?: string | null | undefined;
}

/**
 * Serialises the receipts' lookup of gateway ids with the sender's recording of them (sms.sender.ts):
 * a receipt either finds its message's gateway id, or is kept as early and then found by the sender.
 */
export const RECEIPTS_LOCK = 731_942_122;

/** How long a receipt for a gateway id not (yet) recorded is kept for the sender to apply. */
export const EARLY_RECEIPT_MINUTES = 10;

/**
 * Records delivery receipts: a message accepted by the gateway becomes delivered or failed, once
 * (a delivered or failed one stays as it is). A receipt for a gateway id Stratum has not recorded
 * is kept for EARLY_RECEIPT_MINUTES (the gateway may report before the sender has recorded its
 * answer: the sender applies it then), logged by its id (no customer data); after that it is
 * dropped as one for a message Stratum never sent.
 */
export async function recordReceipts(db: Db, receipts: readonly Receipt[]): Promise<{ recorded: number; repeated: number; unknown: number }> {
  const seen = new Map<string, Receipt>();
  for (const r of receipts) if (!seen.has(r.gateway_id)) seen.set(r.gateway_id, r);
  const list = [...seen.values()];
  if (list.length === 0) return { recorded: 0, repeated: 0, unknown: 0 };
  const { recorded, unknown } = await db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [RECEIPTS_LOCK]);
    // the messages of these gateway ids, then an update by their keys (customer_id first: on Citus
    // each goes to its shard; a correlated subquery beside unnest() is refused there)
    const rows = (
      await s.query<{ customer_id: string; campaign_id: string; gateway_id: string; status: string }>(
        `SELECT customer_id, campaign_id, gateway_id, status FROM sms_outbox WHERE gateway_id = ANY($1::text[])`,
        [list.map((r) => r.gateway_id)],
      )
    ).rows;
    const known = new Set(rows.map((r) => r.gateway_id));
    const open = rows.filter((r) => r.status === 'sending' || r.status === 'accepted');
    let done = 0;
    if (open.length > 0) {
      const receipt = (g: string) => seen.get(g) as Receipt;
      const r = await s.query(
        `UPDATE sms_outbox o SET status = r.status, receipt_at = r.at, reason = CASE WHEN r.status = 'failed' THEN coalesce(r.reason, o.reason) ELSE o.reason END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) r(customer_id, campaign_id, gateway_id, status, at, reason)
          WHERE o.customer_id = r.customer_id AND o.campaign_id = r.campaign_id AND o.gateway_id = r.gateway_id AND o.status IN ('sending', 'accepted')
         RETURNING o.gateway_id`,
        [
          open.map((x) => x.customer_id),
          open.map((x) => x.campaign_id),
          open.map((x) => x.gateway_id),
          open.map((x) => receipt(x.gateway_id).status),
          open.map((x) => receipt(x.gateway_id).at),
          open.map((x) => receipt(x.gateway_id).reason ?? null),
        ],
      );
      done = r.rows.length;
    }
    const unknown = list.filter((r) => !known.has(r.gateway_id));
    await s.query(`DELETE FROM sms_early_receipts WHERE received_at < now() - make_interval(mins => $1)`, [EARLY_RECEIPT_MINUTES]);
    if (unknown.length > 0) {
      await s.query(
        `INSERT INTO sms_early_receipts (gateway_id, status, at, reason)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])
         ON CONFLICT (gateway_id) DO NOTHING`,
        [unknown.map((r) => r.gateway_id), unknown.map((r) => r.status), unknown.map((r) => r.at), unknown.map((r) => r.reason ?? null)],
      );
    }
    return { recorded: done, unknown: unknown.map((r) => r.gateway_id) };
  });
  if (unknown.length > 0) {
    log.warn({ unknown: unknown.length, gatewayIds: unknown.slice(0, 20) }, `delivery receipts for gateway ids Stratum has not recorded: kept ${EARLY_RECEIPT_MINUTES} minutes for the sender, then dropped`);
  }
  return { recorded, repeated: list.length - recorded - unknown.length, unknown: unknown.length };
}

/** A mobile number as customers' records hold it: digits only, without the country code 86. */
export function plainPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

/**
 * A customer's reply: R, TD, T or 退订 (any case, trimmed) opts out at once every customer with
 * that phone (audited as the customer's own act); a repeated one changes nothing. Any other reply
 * is not kept (it may hold personal details): how many customers were opted out now.
 */
export async function recordInbound(db: Db, input: { phone: string; text: string; at: string }): Promise<{ optOut: boolean; optedOut: number }> {
  if (!isOptOutReply(input.text)) {
    log.info({ chars: input.text.length }, 'an SMS reply that is not an opt-out: not kept');
    return { optOut: false, optedOut: 0 };
  }
  const phone = plainPhone(input.phone);
  if (phone.length < 7) return { optOut: true, optedOut: 0 };
  const ids = await db.transaction(async (s) => {
    const r = await s.query<{ customer_id: string }>(
      `INSERT INTO sms_opt_outs (customer_id, at, source)
       SELECT c.customer_id, $2::timestamptz, 'sms_reply' FROM customers c
        WHERE c.phone IS NOT NULL AND (c.phone = $1 OR regexp_replace(c.phone, '\\D', '', 'g') IN ($1, '86' || $1))
       ON CONFLICT (customer_id) DO NOTHING
       RETURNING customer_id`,
      [phone, input.at],
    );
    const opted = r.rows.map((x) => x.customer_id);
    if (opted.length > 0) {
      await recordAudit(s, { actor: null, role: 'customer', action: 'sms_opt_out', customerIds: opted, outcome: 'allowed', detail: { by: 'customer', via: 'sms_reply', at: input.at } });
    }
    return opted;
  });
  if (ids.length === 0) log.info('an SMS opt-out from a phone no customer (still opted in) has');
  return { optOut: true, optedOut: ids.length };
}
