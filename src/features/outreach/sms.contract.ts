import { z } from 'zod';
import { isCalendarDate } from '../../platform/calendar.js';

// The gateway's webhooks (docs/sms-gateway.md); a campaign's figures: campaigns.contract.ts.

// an instant with its offset, on a real calendar day (2026-02-30 is refused, not rolled over)
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;
const instant = z
  .string()
  .max(40)
  .refine((v) => INSTANT.test(v) && isCalendarDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)), 'a time with its offset, like 2026-12-05T10:00:00+08:00');

export const ReceiptsBody = z.object({
  receipts: z
    .array(
      z.object({
        gateway_id: z.string().min(1).max(200),
        status: z.enum(['delivered', 'failed']),
        at: instant,
        reason: z.string().max(500).nullish(),
      }),
    )
    .max(10_000),
});
export const ReceiptsResponse = z.object({ data: z.object({ recorded: z.number().int(), repeated: z.number().int(), unknown: z.number().int() }) });

export const InboundBody = z.object({ phone: z.string().min(1).max(40), text: z.string().max(1000), at: instant });
export const InboundResponse = z.object({ data: z.object({ optOut: z.boolean(), optedOut: z.number().int() }) });
