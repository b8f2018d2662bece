import { Button, Card, Empty, Space, Table, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentUser, useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { opportunitiesApi, type Opportunity } from './opportunities.api.js';
import { Amount, NewOpportunityButton, OpportunityDrawer, StageMover, StageTag, StatusTags } from './opportunity-parts.js';

/** On the customer 360 page: the customer's opportunities the user may see, open ones first, and "new opportunity". */
export function CustomerOpportunitiesCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const user = useCurrentUser();
  const works = can('opportunities.own');
  const list = useApi(`customer-opportunities/${customerId}/${version}/${i18n.language}`, (signal) => (works ? opportunitiesApi.ofCustomer(customerId, signal) : Promise.resolve(null)));
  if (!works) return null;
  const changed = () => setVersion((v) => v + 1);
  const columns: TableColumnsType<Opportunity> = [
    { key: 'target', title: t('opportunities.common.target'), render: (_, o) => o.target.label },
    { key: 'stage', title: t('opportunities.common.stage'), width: 120, render: (_, o) => <StageTag stage={o.stage} /> },
    { key: 'amount', title: t('opportunities.common.amount'), width: 110, align: 'right', render: (_, o) => <Amount yuan={o.expectedAmount} /> },
    { key: 'next', title: t('opportunities.common.nextStep'), render: (_, o) => (o.nextStep ? `${o.nextStep}（${o.nextStepOn ?? ''}）` : (o.lostReason ?? '—')) },
    { key: 'owner', title: t('opportunities.common.owner'), width: 90, render: (_, o) => o.owner.name },
    { key: 'status', title: t('opportunities.common.status'), width: 100, render: (_, o) => <StatusTags o={o} /> },
    {
      key: 'actions',
      title: '',
      width: 200,
      render: (_, o) => (
        <Space size={4}>
          {o.owner.staffId === user.login && <StageMover o={o} onMoved={changed} />}
          <Button type="link" size="small" onClick={() => setOpen(o.opportunityId)}>{t('opportunities.common.open')}</Button>
        </Space>
      ),
    },
  ];
  return (
    <Card
      size="small"
      className="section-card"
      title={t('opportunities.customerCard.title')}
      extra={<NewOpportunityButton customerId={customerId} onSaved={changed} testId="customer-opportunity-new" />}
      data-testid="customer-opportunities"
    >
      <Table<Opportunity>
        size="small"
        rowKey="opportunityId"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opportunities.customerCard.empty')} /> }}
      />
      <OpportunityDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />
    </Card>
  );
}
