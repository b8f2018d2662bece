import { Input, Select, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Role } from '../../../features/access/access.permissions.js';
import { ApiError } from '../../app/api.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import type { StaffLoad } from './ownership.api.js';

// Small pieces the ownership pages share.

/** The customer's number and name, a link to their page unless the server says it is outside the reader's scope. */
export function CustomerLink({ customer }: { customer: { customerId: string; name: string; visible?: boolean } }) {
  if (customer.visible === false) {
    return (
      <span>
        <span className="money">{customer.customerId}</span> {customer.name}
      </span>
    );
  }
  return (
    <Link to={`/customers/${encodeURIComponent(customer.customerId)}`}>
      <span className="money">{customer.customerId}</span> {customer.name}
    </Link>
  );
}

export function BandTag({ band }: { band: string | null }) {
  return <ListTierTag model="aum_band" tier={band} />;
}

export function StaffName({ staff }: { staff: { name: string; role: Role } | null }) {
  const { t } = useTranslation();
  if (!staff) return <span>{t('common.none')}</span>;
  return (
    <span>
      {staff.name} <Tag variant="filled">{t(`roles.${staff.role}`)}</Tag>
    </span>
  );
}

/** A staff picker: name, role and how many customers each owns (the load to balance). */
export function StaffSelect({ staff, value, onChange, roles, testId, label }: { staff: StaffLoad[]; value: string | undefined; onChange: (v: string) => void; roles?: readonly string[]; testId?: string; label?: string }) {
  const { t } = useTranslation();
  const options = staff
    .filter((s) => !roles || roles.includes(s.role))
    .map((s) => ({ value: s.staffId, label: `${s.name} · ${t(`roles.${s.role}`)} · ${s.primaryCustomers}` }));
  return <Select data-testid={testId} aria-label={label ?? t('ownership.workbench.assignTo')} style={{ minWidth: 220, maxWidth: '100%' }} showSearch optionFilterProp="label" placeholder={t('ownership.workbench.assignTo')} value={value} onChange={onChange} options={options} />;
}

export function ReasonInput({ value, onChange, testId }: { value: string; onChange: (v: string) => void; testId?: string }) {
  const { t } = useTranslation();
  return <Input data-testid={testId} aria-label={t('ownership.workbench.reason')} style={{ width: 260, maxWidth: '100%' }} placeholder={t('ownership.workbench.reasonPlaceholder')} value={value} onChange={(e) => onChange(e.target.value)} maxLength={500} />;
}

/** The server's message, with each field's problem after it. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return [err.message, ...Object.values(err.fields ?? {})].filter((x, i, all) => all.indexOf(x) === i).join(' — ');
  return err instanceof Error ? err.message : String(err);
}
