import { z } from 'zod';
import { DateText } from '../../platform/contract.js';

// The API of message templates (短信模板, issue 21 §2). A template is written as a draft, submitted,
// and approved or rejected by the head of its branch (the department for a bank-wide one); an
// approved version is never edited: a change makes the next version, a draft.

export const TEMPLATE_KINDS = ['marketing', 'service'] as const;
export const TEMPLATE_STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;

const Body = z.string().min(1).max(1000).describe('the text, with placeholders {姓名} {称谓} {客户经理} {网点} {产品} {日期}');

export const Measure = z.object({
  message: z.string().describe('the message as sent: a marketing one ends with the opt-out line 拒收请回复R'),
  chars: z.number().int().describe('characters, the opt-out line counted'),
  segments: z.number().int().describe('SMS segments: up to 70 characters one, longer ones per 67'),
});

export const Template = z.object({
  templateId: z.string(),
  version: z.number().int(),
  name: z.string(),
  kind: z.enum(TEMPLATE_KINDS),
  body: z.string(),
  branch: z.object({ id: z.string(), name: z.string() }).nullable().describe('null: bank-wide (the department approves)'),
  status: z.enum(TEMPLATE_STATUSES),
  createdBy: z.object({ staffId: z.string(), name: z.string() }),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  decidedBy: z.object({ staffId: z.string(), name: z.string() }).nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  /** the text with placeholders left as they are, counted (placeholders count as written) */
  measure: Measure,
  /** the signed-in user may change it (a new version once approved) */
  editable: z.boolean(),
  /** the signed-in user may approve or reject it now */
  decidable: z.boolean(),
});
export type Template = z.infer<typeof Template>;

export const TemplateBody = z.object({ name: z.string().min(1).max(60), kind: z.enum(TEMPLATE_KINDS), body: Body }).strict();
export const TemplateParams = z.object({ templateId: z.string().min(1).max(60) });
export const TemplateResponse = z.object({ data: Template });
export const TemplatesResponse = z.object({ data: z.object({ items: z.array(Template).describe("each template's latest version") }) });
export const TemplateVersionsResponse = z.object({ data: z.object({ versions: z.array(Template).describe('newest first') }) });
export const TemplatesQuery = z.object({ status: z.enum(TEMPLATE_STATUSES).optional() }).strict();
export const DecisionBody = z.object({ decision: z.enum(['approve', 'reject']), note: z.string().max(500).optional() }).strict();

export const PreviewBody = z
  .object({
    body: Body,
    kind: z.enum(TEMPLATE_KINDS),
    customerId: z.string().min(1).max(40).optional().describe('a customer within your scope whose values fill the placeholders'),
    product: z.string().max(40).optional().describe('the value of {产品}'),
    date: DateText.optional().describe('the value of {日期} (default today, China time), said as 12月5日'),
  })
  .strict();
export const PreviewResponse = z.object({
  data: Measure.extend({
    values: z.record(z.string(), z.string()).describe('the value each placeholder took'),
    customerId: z.string().nullable(),
  }),
});
