import { Alert, Button, Card, Empty, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { customersApi } from '../customers/customers.api.js';
import { Wan } from '../customers/money.view.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { MissingTags } from './customer-profile.card.js';
import { ProfileCollectDrawer } from './profile-collect.drawer.js';
import { profileApi, type OutletRow } from './profile.api.js';

// An outlet's customers to complete (issue 23 §2): under 7 of 9 profile fields, whom the user
// collects for, the highest value first, with the fields missing and "record data" opening the
// same collect form as the customer's page.

const PAGE_SIZE = 50;

export function ProfileOutletPage() {
  const { t, i18n } = useTranslation();
  const user = useCurrentUser();
  const [branchId, setBranchId] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const [collecting, setCollecting] = useState<OutletRow | null>(null);
  const branches = useApi(`profile-outlet-branches/${i18n.language}`, (signal) => customersApi.branches(signal));
  const outlets = (branches.data?.items ?? []).filter((b) => b.level === 'outlet');
  // the user's own outlet first; someone above the outlets (a branch head, the department) picks one
  const chosen = branchId ?? (user.branch && outlets.some((o) => o.id === user.branch?.id) ? user.branch.id : outlets[0]?.id);
  const list = useApi(`profile-outlet/${chosen ?? ''}/${page}/${version}/${i18n.language}`, (signal) =>
    chosen ? profileApi.outlet({ branchId: chosen, page, pageSize: PAGE_SIZE }, signal) : Promise.resolve(null),
  );
  const data = list.data;
  const columns: TableColumnsType<OutletRow> = [
    {
      key: 'customer',
      title: t('profile.outlet.customer'),
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Link to={`/customers/${encodeURIComponent(r.customerId)}`}>{r.name}</Link>
          <Typography.Text type="secondary" className="money">
            {r.customerId}
          </Typography.Text>
        </Space>
      ),
    },
    { key: 'aum', title: t('profile.outlet.aum'), width: 120, align: 'right', render: (_, r) => <Wan yuan={r.aum} /> },
    { key: 'band', title: t('profile.outlet.band'), width: 110, render: (_, r) => <ListTierTag model="aum_band" tier={r.aumBand} /> },
    { key: 'filled', title: t('profile.outlet.completeness'), width: 90, render: (_, r) => <span className="money">{`${r.filled} / ${r.of}`}</span> },
    { key: 'missing', title: t('profile.outlet.missing'), render: (_, r) => <MissingTags missing={r.missing} /> },
    {
      key: 'assignee',
      title: t('profile.outlet.assignee'),
      width: 140,
      render: (_, r) => (r.assignee === 'owner' && r.owner ? r.owner.name : t(`profile.outlet.assignees.${r.assignee}`)),
    },
    {
      key: 'action',
      title: t('profile.outlet.action'),
      width: 110,
      render: (_, r) => (
        <Button size="small" onClick={() => setCollecting(r)} data-testid="profile-outlet-record">
          {t('profile.outlet.record')}
        </Button>
      ),
    },
  ];
  return (
    <div data-testid="profile-outlet-page">
      <Card size="small" className="section-card">
        <PageTitle>{t('profile.outlet.title')}</PageTitle>
        <Typography.Paragraph type="secondary">{t('profile.outlet.hint')}</Typography.Paragraph>
        <Space wrap size={16} style={{ marginBottom: 12 }}>
          <span>
            {t('profile.outlet.outlet')}{' '}
            <Select
              style={{ minWidth: 220 }}
              aria-label={t('profile.outlet.outlet')}
              loading={branches.loading}
              value={chosen}
              showSearch={{ optionFilterProp: 'label' }}
              options={outlets.map((o) => ({ value: o.id, label: o.name }))}
              onChange={(v: string) => {
                setBranchId(v);
                setPage(1);
              }}
              data-testid="profile-outlet-branch"
            />
          </span>
          {data?.businessDate && <Typography.Text type="secondary">{t('profile.outlet.asOf', { date: data.businessDate })}</Typography.Text>}
        </Space>
        {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
        <Table<OutletRow>
          size="small"
          rowKey="customerId"
          loading={list.loading}
          columns={columns}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: data?.total ?? 0, showSizeChanger: false, hideOnSinglePage: true, onChange: setPage }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('profile.outlet.empty')} /> }}
          data-testid="profile-outlet-table"
        />
      </Card>
      <ProfileCollectDrawer customerId={collecting?.customerId ?? null} name={collecting?.name} onClose={() => setCollecting(null)} onSaved={() => setVersion((v) => v + 1)} />
    </div>
  );
}
