import { recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { revealedValue, type RevealableField } from '../../platform/pii.js';
import { can } from '../access/access.permissions.js';
import type { SignedInUser } from '../access/access.service.js';
import { personalFieldsInScope } from '../customers/customers.service.js';
import type { RevealBody } from './pii.contract.js';

/** The fields a role may reveal: managers, supervisors, the branch head and the department all; tellers the ID number. */
export function revealableBy(user: SignedInUser): readonly RevealableField[] {
  if (can(user.role, 'pii.reveal')) return ['phone', 'id_number', 'address'];
  if (can(user.role, 'pii.reveal_id')) return ['id_number'];
  return [];
}

/**
 * The full values of a customer's masked fields, for one view. Every attempt is audited with the
 * fields and the reason: allowed, refused for the role (403), or outside the scope (404, the
 * same answer as for a customer that does not exist).
 */
export async function revealFields(db: Db, user: SignedInUser, customerId: string, body: RevealBody, from: { ip?: string | null }) {
  const values = await revealOf(db, user, body, from, {
    customerIds: [customerId],
    detail: {},
    find: () => personalFieldsInScope(db, user, customerId),
    notFound: () => new AppError('not_found', text('没有这位客户，或该客户不在您的权限范围内。', 'There is no such customer within your scope.')),
  });
  return { customerId, values };
}

/**
 * The reveal itself, for any record holding revealable fields (a customer, a prospect): `find`
 * gives its values when the user may see it. Audited every time, allowed or refused, with the
 * fields, the reason and `detail` (which record, never a value).
 */
export async function revealOf(
  db: Db,
  user: SignedInUser,
  body: RevealBody,
  from: { ip?: string | null },
  subject: { customerIds: string[]; detail: Record<string, unknown>; find: () => Promise<{ phone: string | null; id_number: string | null; address: string | null } | null>; notFound: () => AppError },
): Promise<Partial<Record<RevealableField, string | null>>> {
  const fields = [...new Set(body.fields)];
  const entry = { actor: user.login, role: user.role, ip: from.ip ?? null, action: 'reveal', customerIds: subject.customerIds, fields, reason: body.reason };
  const row = await subject.find();
  if (!row) {
    await recordAuditDb(db, { ...entry, outcome: 'refused', detail: { ...subject.detail, why: 'out_of_scope' } });
    throw subject.notFound();
  }
  const allowed = revealableBy(user);
  const denied = fields.filter((f) => !allowed.includes(f));
  if (denied.length) {
    await recordAuditDb(db, { ...entry, outcome: 'refused', detail: { ...subject.detail, why: 'role', denied } });
    throw new AppError('forbidden', text('您的岗位不能查看这些信息的完整内容。', 'Your role may not see these values in full.'), {
      fields: text(`不可查看：${denied.join('、')}`, `not allowed: ${denied.join(', ')}`),
    });
  }
  // audited before the values leave: no value is shown without its entry
  await recordAuditDb(db, { ...entry, outcome: 'allowed', ...(Object.keys(subject.detail).length ? { detail: subject.detail } : {}) });
  return Object.fromEntries(fields.map((f) => [f, revealedValue(f, row)])) as Partial<Record<RevealableField, string | null>>;
}
