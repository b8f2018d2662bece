import { z } from 'zod';
import { DateText } from '../../platform/contract.js';

// The API of greetings (issue 21 §4): the birthday and festival greetings the daily batch
// prepared, listed for the head of their branch (the department: all), approved one by one.

export const GREETING_STATUSES = ['draft', 'approved', 'sending', 'done'] as const;

export const Greeting = z.object({
  campaignId: z.string(),
  occasion: z.enum(['birthday', 'festival']),
  festival: z.string().nullable().describe('spring_festival, lantern, dragon_boat, mid_autumn, national_day, new_year; null for a birthday'),
  occasionDate: z.string().describe('the birthday or the festival, YYYY-MM-DD'),
  branch: z.object({ id: z.string(), name: z.string() }).describe('the branch it speaks for; its head approves it'),
  owner: z.object({ staffId: z.string(), name: z.string() }).nullable().describe("birthday greetings: the manager whose customers they are"),
  preparedOn: z.string().describe('the business date of the batch that prepared it'),
  text: z.string().describe('the text with its placeholders, as each recipient gets it written; ends with the opt-out line'),
  status: z.enum(GREETING_STATUSES).describe('draft: awaiting approval'),
  recipients: z.number().int(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  /** the occasion has passed: a draft can no longer be approved */
  passed: z.boolean(),
  /** the signed-in user may approve it now */
  approvable: z.boolean(),
});
export type Greeting = z.infer<typeof Greeting>;

export const GreetingsQuery = z.object({
  status: z.enum(GREETING_STATUSES).optional(),
  from: DateText.optional().describe('occasions on or after this date (default: 7 days before the latest business date)'),
});
export const GreetingsResponse = z.object({ data: z.object({ items: z.array(Greeting) }) });
export const GreetingParams = z.object({ campaignId: z.string().min(1).max(200) });
export const GreetingResponse = z.object({ data: Greeting });
