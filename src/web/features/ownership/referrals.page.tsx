import { Alert, App, Button, Card, Segmented, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentUser, useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ownershipApi, type Referral, type ReferralCount, type ReferralOutcome } from './ownership.api.js';
import { CustomerLink, errorText, StaffName } from './ownership.parts.js';
import { ReferralForm } from './referral-form.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';

const OUTCOMES: readonly ReferralOutcome[] = ['signed', 'product_sold', 'declined'];

/** Referrals: mine (made, addressed to or accepted by me, and the outlet's open pool for managers) or the outlet's; accept, contact, outcome. */
export function ReferralsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const user = useCurrentUser();
  const [view, setView] = useState<'mine' | 'outlet'>('mine');
  const [version, setVersion] = useState(0);
  const [creating, setCreating] = useState(false);
  const [outcomes, setOutcomes] = useState<Record<string, ReferralOutcome>>({});
  const list = useApi(`referrals/${view}/${version}/${i18n.language}`, (signal) => ownershipApi.referrals(view, signal));
  const counts = useApi(`referral-counts/${version}`, (signal) => (can('reports.branch') ? ownershipApi.counts(signal) : Promise.resolve({ items: [] })));
  const reload = () => setVersion((v) => v + 1);

  const step = async (r: Referral, s: 'accept' | 'contact' | 'outcome') => {
    try {
      const outcome = outcomes[r.referralId];
      await ownershipApi.progress({ customerId: r.customer.customerId, referralId: r.referralId, step: s, ...(s === 'contact' ? { channel: 'phone' } : {}), ...(s === 'outcome' && outcome ? { outcome } : {}) });
      reload();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  const mineToWork = (r: Referral) => r.acceptedBy?.staffId === user.login;

  const columns: TableColumnsType<Referral> = [
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, r) => <CustomerLink customer={r.customer} /> },
    { key: 'need', title: t('ownership.referral.need'), render: (_, r) => t(`ownership.needs.${r.need}`) },
    { key: 'reason', title: t('ownership.referral.reason'), dataIndex: 'reason' },
    { key: 'referrer', title: t('ownership.referral.referrer'), render: (_, r) => <StaffName staff={r.referrer} /> },
    { key: 'to', title: t('ownership.referral.to'), render: (_, r) => (r.to ? <StaffName staff={r.to} /> : t('ownership.referral.pool')) },
    { key: 'status', title: t('ownership.referral.status'), render: (_, r) => <Tag data-testid={`referral-status-${r.referralId}`}>{t(`ownership.statuses.${r.status}`)}</Tag> },
    { key: 'outcome', title: t('ownership.referral.outcome'), render: (_, r) => (r.outcome ? t(`ownership.outcomes.${r.outcome}`) : '') },
    { key: 'at', title: t('ownership.referral.createdAt'), render: (_, r) => r.createdAt.slice(0, 16).replace('T', ' ') },
    {
      key: 'act',
      title: t('common.actions'),
      render: (_, r) => {
        if (!can('referrals.work')) return null;
        if (r.status === 'open') return <Button size="small" type="primary" onClick={() => void step(r, 'accept')} data-testid={`referral-accept-${r.referralId}`}>{t('ownership.referral.accept')}</Button>;
        if (r.status === 'accepted' && mineToWork(r)) return <Button size="small" onClick={() => void step(r, 'contact')}>{t('ownership.referral.contact')}</Button>;
        if (r.status === 'contacted' && mineToWork(r))
          return (
            <Space>
              <Select size="small" style={{ width: 120 }} aria-label={t('ownership.referral.outcome')} value={outcomes[r.referralId]} onChange={(v) => setOutcomes({ ...outcomes, [r.referralId]: v })} options={OUTCOMES.map((o) => ({ value: o, label: t(`ownership.outcomes.${o}`) }))} />
              <Button size="small" onClick={() => void step(r, 'outcome')}>{t('ownership.referral.recordOutcome')}</Button>
            </Space>
          );
        return null;
      },
    },
  ];
  const countColumns: TableColumnsType<ReferralCount> = [
    { key: 'who', title: t('ownership.referral.referrer'), render: (_, c) => <StaffName staff={c} /> },
    { key: 'referred', title: t('ownership.referral.referred'), dataIndex: 'referred' },
    { key: 'accepted', title: t('ownership.referral.accepted'), dataIndex: 'accepted' },
    { key: 'contacted', title: t('ownership.referral.contacted'), dataIndex: 'contacted' },
    { key: 'signed', title: t('ownership.outcomes.signed'), dataIndex: 'signed' },
    { key: 'sold', title: t('ownership.outcomes.product_sold'), dataIndex: 'productSold' },
    { key: 'declined', title: t('ownership.outcomes.declined'), dataIndex: 'declined' },
  ];
  return (
    <Card size="small" className="section-card" data-testid="referrals-page">
      <Space wrap style={{ marginBottom: 12 }}>
        <PageTitle>
          {t('ownership.referral.listTitle')}
        </PageTitle>
        <Segmented value={view} onChange={(v) => setView(v === 'outlet' ? 'outlet' : 'mine')} options={[{ value: 'mine', label: t('ownership.referral.mine') }, { value: 'outlet', label: t('ownership.referral.outlet') }]} />
        {can('referrals.create') && (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="new-referral">
            {t('ownership.referral.new')}
          </Button>
        )}
      </Space>
      {list.error ? (
        <Alert type="error" showIcon title={list.error.message} />
      ) : (
        <Table<Referral> size="small" rowKey="referralId" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} pagination={{ pageSize: 50 }} locale={{ emptyText: t('ownership.workbench.nothing') }} data-testid="referrals-table" />
      )}
      {can('reports.branch') && (
        <>
          <SectionTitle>{t('ownership.referral.counts')}</SectionTitle>
          <Table<ReferralCount> size="small" rowKey="staffId" dataSource={counts.data?.items ?? []} columns={countColumns} pagination={false} />
        </>
      )}
      <ReferralForm
        open={creating}
        managers={[]}
        onClose={() => setCreating(false)}
        onDone={() => {
          setCreating(false);
          reload();
        }}
      />
    </Card>
  );
}
