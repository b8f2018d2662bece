import { Alert, App, Button, Input, Space, Table, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { ownershipApi, type Claim, type CustomerFact } from './ownership.api.js';
import { CustomerLink, errorText, StaffName } from './ownership.parts.js';

const STATE_COLOR = { met: 'green', not_met: 'default', declared: 'gold' } as const;

/** Pending familiar-customer claims: what the manager says they know, what the data shows; approve or refuse. */
export function ClaimsTab({ onChanged }: { onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const claims = useApi(`claims/${i18n.language}`, (signal) => ownershipApi.claims(signal));
  const [notes, setNotes] = useState<Record<string, string>>({});

  const decide = async (c: Claim, decision: 'approve' | 'refuse') => {
    try {
      await ownershipApi.decideClaim(c.customer.customerId, c.claimId, decision, notes[c.claimId]);
      void message.success(t('ownership.workbench.done', { n: 1 }));
      claims.reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(err));
    }
  };

  const columns: TableColumnsType<Claim> = [
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, c) => <CustomerLink customer={c.customer} /> },
    { key: 'claimant', title: t('ownership.workbench.claimant'), render: (_, c) => <StaffName staff={c.claimant} /> },
    { key: 'manager', title: t('ownership.workbench.managerFacts'), render: (_, c) => c.managerFacts.map((f) => <Tag key={f}>{t(`ownership.managerFacts.${f}`)}</Tag>) },
    {
      key: 'customer-side',
      title: t('ownership.workbench.customerFacts'),
      render: (_, c) =>
        (Object.entries(c.customerFacts) as [CustomerFact, keyof typeof STATE_COLOR][])
          .filter(([, v]) => v !== 'not_met')
          .map(([f, v]) => (
            <Tag key={f} color={STATE_COLOR[v]} title={t(`ownership.factStates.${v}`)}>
              {t(`ownership.customerFacts.${f}`)}
              {v === 'declared' ? ` (${t('ownership.factStates.declared')})` : ''}
            </Tag>
          )),
    },
    { key: 'note', title: t('ownership.workbench.note'), render: (_, c) => c.note ?? '' },
    {
      key: 'decide',
      title: t('common.actions'),
      render: (_, c) => (
        <Space>
          <Input size="small" style={{ width: 160 }} aria-label={t('ownership.workbench.note')} placeholder={t('ownership.workbench.note')} value={notes[c.claimId] ?? ''} onChange={(e) => setNotes({ ...notes, [c.claimId]: e.target.value })} />
          <Button size="small" type="primary" onClick={() => void decide(c, 'approve')}>
            {t('ownership.workbench.approve')}
          </Button>
          <Button size="small" danger onClick={() => void decide(c, 'refuse')}>
            {t('ownership.workbench.refuse')}
          </Button>
        </Space>
      ),
    },
  ];
  if (claims.error) return <Alert type="error" showIcon title={claims.error.message} />;
  return <Table<Claim> size="small" rowKey="claimId" loading={claims.loading} dataSource={claims.data?.items ?? []} columns={columns} pagination={false} locale={{ emptyText: t('ownership.workbench.nothing') }} />;
}
