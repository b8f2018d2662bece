import { Button, Tag, type TableColumnsType } from 'antd';
import type { TFunction } from 'i18next';
import { chinaTime } from '../../app/china-time.js';
import { STATE_HEX } from '../../app/theme.js';
import type { Complaint } from './complaints.api.js';

// Pieces the complaints pages and the 360 card share.

const overdue = (c: Complaint) => c.dueState === 'response_overdue' || c.dueState === 'resolution_overdue' || c.dueState === 'resolution_150';

/** Where the complaint stands against its due times: red when overdue. */
export function DueTag({ c, t }: { c: Complaint; t: TFunction }) {
  const colour = overdue(c) ? STATE_HEX.red : c.dueState === 'done' ? STATE_HEX.green : STATE_HEX.blue;
  return (
    <Tag color={colour} data-testid="complaint-due-state" data-state={c.dueState}>
      {t(`complaints.dueStates.${c.dueState}`)}
    </Tag>
  );
}

export function StatusTag({ c, t }: { c: Complaint; t: TFunction }) {
  const colour = c.status === 'closed' ? STATE_HEX.grey : c.status === 'escalated' ? STATE_HEX.red : c.status === 'resolved' ? STATE_HEX.green : STATE_HEX.orange;
  return <Tag color={colour}>{t(`complaints.statuses.${c.status}`)}</Tag>;
}

/** The customer (number and name) or the non-customer (name, masked phone). */
export function complainant(c: Complaint): string {
  if (c.customer) return `${c.customer.customerId} ${c.customer.name ?? ''}`.trim();
  return [c.person?.name, c.person?.phone].filter(Boolean).join(' · ');
}

/** A due time in China time, red once past while still open. */
function DueTime({ iso, late }: { iso: string; late: boolean }) {
  return (
    <span className="money" style={late ? { color: STATE_HEX.red, fontWeight: 600 } : undefined}>
      {chinaTime(iso)}
    </span>
  );
}

/** The columns of a list of complaints; `open` shows a complaint's detail. */
export function complaintColumns(t: TFunction, open: (id: string) => void, opts: { escalation?: boolean; complainant?: boolean } = {}): TableColumnsType<Complaint> {
  const cols: TableColumnsType<Complaint> = [
    {
      key: 'id',
      title: t('complaints.columns.id'),
      width: 170,
      render: (_, c) => (
        <Button type="link" size="small" className="money" style={{ padding: 0 }} onClick={() => open(c.complaintId)} data-testid="complaint-open">
          {c.complaintId}
        </Button>
      ),
    },
  ];
  if (opts.complainant !== false) cols.push({ key: 'who', title: t('complaints.columns.complainant'), render: (_, c) => complainant(c) });
  cols.push(
    { key: 'channel', title: t('complaints.columns.channel'), width: 90, render: (_, c) => t(`complaints.channels.${c.channel}`) },
    { key: 'category', title: t('complaints.columns.category'), width: 100, render: (_, c) => t(`complaints.categories.${c.category as 'other'}`, { defaultValue: c.category }) },
    { key: 'received', title: t('complaints.columns.received'), width: 140, render: (_, c) => <span className="money">{chinaTime(c.receivedAt)}</span> },
    { key: 'responseDue', title: t('complaints.columns.responseDue'), width: 140, render: (_, c) => <DueTime iso={c.first_response_due} late={c.firstResponseAt === null && c.dueState !== 'on_time' && c.dueState !== 'done'} /> },
    { key: 'resolutionDue', title: t('complaints.columns.resolutionDue'), width: 140, render: (_, c) => <DueTime iso={c.resolution_due} late={c.dueState === 'resolution_overdue' || c.dueState === 'resolution_150'} /> },
    { key: 'status', title: t('complaints.columns.status'), width: 110, render: (_, c) => <StatusTag c={c} t={t} /> },
    { key: 'due', title: t('complaints.columns.due'), width: 110, render: (_, c) => <DueTag c={c} t={t} /> },
  );
  if (opts.escalation) {
    cols.push(
      { key: 'escalation', title: t('complaints.columns.escalation'), width: 170, render: (_, c) => <Tag color={STATE_HEX.red}>{t(`complaints.escalations.${c.escalation}`)}</Tag> },
      { key: 'reason', title: t('complaints.columns.reason'), width: 150, render: (_, c) => (c.escalationReason ? <span data-testid="complaint-escalation-reason">{t(`complaints.reasons.${c.escalationReason}`)}</span> : '—') },
      { key: 'branch', title: t('complaints.columns.branch'), width: 120, render: (_, c) => c.branch.name },
    );
  }
  cols.push({ key: 'owner', title: t('complaints.columns.owner'), width: 100, render: (_, c) => c.owner.name });
  return cols;
}
