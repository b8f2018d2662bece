import { z } from 'zod';
import { REVEALABLE_FIELDS } from '../../platform/pii.js';

// Showing a masked value in full: an explicit action with a reason (issue 5).

export const RevealBody = z.object({
  fields: z.array(z.enum(REVEALABLE_FIELDS)).min(1).max(REVEALABLE_FIELDS.length).describe('which values to show in full: phone, id_number, address'),
  // the message is a key: http.ts gives it in both languages
  reason: z.string().trim().min(4, 'reveal_reason').max(200, 'reveal_reason').describe('why you need the full value (4–200 characters); kept in the audit trail'),
});
export type RevealBody = z.infer<typeof RevealBody>;

export const RevealResponse = z.object({
  data: z.object({
    customerId: z.string(),
    /** the full values asked for; null when the bank has none on record */
    values: z.object({ phone: z.string().nullable().optional(), id_number: z.string().nullable().optional(), address: z.string().nullable().optional() }),
  }),
});
