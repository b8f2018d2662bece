import { Alert, Card, Segmented, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { formatWan } from '../customers/money.js';
import { Wan } from '../customers/money.view.js';
import { StaffName } from '../ownership/ownership.parts.js';
import { worklistApi, type MaturingItem } from './worklist.api.js';
import { CustomerCell } from './worklist.parts.js';
import { PageTitle } from '../../app/page-title.js';

// Seed 003's products maturing list: wealth products and time deposits matured in the last 90
// days (reinvested or not) and maturing in the next 90, with amount and the customer's tier.

type Window = 'both' | 'past' | 'next';

function DaysText({ days }: { days: number }) {
  const { t } = useTranslation();
  if (days === 0) return <Tag color="orange">{t('worklist.maturing.today')}</Tag>;
  const text = days < 0 ? t('worklist.maturing.daysAgo', { n: -days }) : t('worklist.maturing.daysAhead', { n: days });
  return <span className="money" style={{ color: days < 0 ? 'rgba(0,0,0,0.62)' : days <= 7 ? '#ad4e00' : undefined }}>{text}</span>;
}

export function MaturingPage() {
  const { t, i18n } = useTranslation();
  const [window, setWindow] = useState<Window>('both');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const list = useApi(`maturing/${window}/${page}/${pageSize}/${i18n.language}`, (signal) => worklistApi.maturing({ window, page, pageSize }, signal));

  const columns: TableColumnsType<MaturingItem> = [
    { key: 'customer', title: t('worklist.common.customer'), render: (_, m) => <CustomerCell customer={m.customer} showMoney={false} /> },
    {
      key: 'product',
      title: t('worklist.maturing.product'),
      render: (_, m) => (
        <Space size={4}>
          <Tag variant="filled">{t(`worklist.maturing.${m.kind}`)}</Tag>
          <span>{m.productName ?? m.productCode ?? m.accountId}</span>
        </Space>
      ),
    },
    { key: 'amount', title: t('worklist.maturing.amount'), align: 'right', render: (_, m) => <Wan yuan={m.amount} /> },
    { key: 'date', title: t('worklist.maturing.date'), render: (_, m) => <span className="money">{m.maturesOn}</span> },
    { key: 'days', title: t('worklist.maturing.days'), render: (_, m) => <DaysText days={m.daysFromToday} /> },
    {
      key: 'reinvested',
      title: t('worklist.maturing.reinvested'),
      render: (_, m) =>
        m.daysFromToday > 0 ? (
          <Typography.Text type="secondary">{t('worklist.maturing.pending')}</Typography.Text>
        ) : m.reinvested ? (
          <Tag color="green">{t('worklist.maturing.reinvested')}</Tag>
        ) : (
          <Tag color="red">{t('worklist.maturing.notReinvested')}</Tag>
        ),
    },
    { key: 'owner', title: t('worklist.common.owner'), render: (_, m) => <StaffName staff={m.owner} /> },
  ];

  return (
    <Card size="small" className="section-card" data-testid="maturing-page">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }} wrap>
        <Space size={12}>
          <PageTitle>
            {t('worklist.maturing.title')}
          </PageTitle>
          {list.data?.asOf && <Typography.Text type="secondary">{t('worklist.common.asOf', { date: list.data.asOf })}</Typography.Text>}
        </Space>
        <Segmented<Window>
          value={window}
          onChange={(w) => {
            setWindow(w);
            setPage(1);
          }}
          options={(['both', 'past', 'next'] as const).map((w) => ({ value: w, label: t(`worklist.maturing.${w}`) }))}
          data-testid="maturing-window"
        />
      </Space>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Table<MaturingItem>
        size="small"
        rowKey={(m) => m.accountId}
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        rowClassName={(m) => (m.daysFromToday >= 0 && m.daysFromToday <= 7 ? 'row-matures-soon' : '')}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: () => <span data-testid="maturing-total">{t('worklist.maturing.total', { n: list.data?.total ?? 0, amount: formatWan(list.data?.totalAmount ?? '0') })}</span>,
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
      />
    </Card>
  );
}
