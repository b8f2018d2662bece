import { Alert, App, Button, Space, Table, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { Wan } from '../customers/money.view.js';
import { ownershipApi, type Proposal, type StaffLoad } from './ownership.api.js';
import { BandTag, CustomerLink, errorText, ReasonInput, StaffName, StaffSelect } from './ownership.parts.js';

/** The nightly proposals: select, optionally pick another staff member of the same role, accept or reject in bulk. */
export function ProposalsTab({ staff, onChanged }: { staff: StaffLoad[]; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const list = useApi(`proposals/${i18n.language}`, (signal) => ownershipApi.proposals(signal));
  const [selected, setSelected] = useState<string[]>([]);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const decide = async (decision: 'accept' | 'reject') => {
    setBusy(true);
    try {
      const r = await ownershipApi.decide(
        selected.map((customerId) => ({ customerId, decision, ...(decision === 'accept' && edits[customerId] ? { staffId: edits[customerId] } : {}) })),
        reason.trim() || undefined,
      );
      void message.success(t('ownership.workbench.done', { n: r.changed }));
      setSelected([]);
      setEdits({});
      list.reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Proposal> = [
    { key: 'priority', title: t('ownership.workbench.priority'), dataIndex: 'priority', width: 70 },
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, p) => <CustomerLink customer={p.customer} /> },
    { key: 'aum', title: t('customers.col.aum'), render: (_, p) => <Wan yuan={p.customer.aum} /> },
    { key: 'band', title: t('ownership.workbench.band'), render: (_, p) => <BandTag band={p.band} /> },
    { key: 'cause', title: t('ownership.workbench.cause'), render: (_, p) => <Tag color={p.cause === 'unassigned' ? 'default' : 'orange'}>{t(`ownership.causes.${p.cause}`)}</Tag> },
    { key: 'proposed', title: t('ownership.workbench.proposed'), render: (_, p) => <StaffName staff={p.proposed} /> },
    {
      key: 'edit',
      title: t('ownership.workbench.pickOther'),
      render: (_, p) => (
        <StaffSelect staff={staff} roles={[p.proposed.role]} label={`${t('ownership.workbench.pickOther')} ${p.customer.name}`} value={edits[p.customer.customerId]} onChange={(v) => setEdits({ ...edits, [p.customer.customerId]: v })} />
      ),
    },
    { key: 'co', title: t('ownership.workbench.coOwners'), render: (_, p) => p.coOwners.map((c) => c.name).join('、') || t('common.none') },
    { key: 'current', title: t('ownership.workbench.current'), render: (_, p) => <StaffName staff={p.current} /> },
  ];

  if (list.error) return <Alert type="error" showIcon title={list.error.message} />;
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" disabled={!selected.length} loading={busy} onClick={() => void decide('accept')} data-testid="accept-selected">
          {t('ownership.workbench.acceptSelected')}
        </Button>
        <Button danger disabled={!selected.length} loading={busy} onClick={() => void decide('reject')} data-testid="reject-selected">
          {t('ownership.workbench.rejectSelected')}
        </Button>
        <ReasonInput value={reason} onChange={setReason} testId="proposal-reason" />
        <span data-testid="proposals-selected">{t('ownership.workbench.selected', { n: selected.length })}</span>
      </Space>
      <Table<Proposal>
        size="small"
        rowKey={(p) => p.customer.customerId}
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        pagination={{ pageSize: 50 }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
        locale={{ emptyText: t('ownership.workbench.nothing') }}
        data-testid="proposals-table"
      />
    </>
  );
}
