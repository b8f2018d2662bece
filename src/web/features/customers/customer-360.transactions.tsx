import { Alert, Card, Table, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { customersApi, type Transactions } from './customers.api.js';
import { Yuan } from './money.view.js';
import { STATE_HEX } from '../../app/theme.js';

type Txn = Transactions['items'][number];

/** Recent transactions, paged by the server. */
export function TransactionsTable({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const txns = useApi(`${customerId}/transactions/${page}/${pageSize}/${i18n.language}`, (signal) => customersApi.transactions(customerId, page, pageSize, signal));

  const columns: TableColumnsType<Txn> = [
    { key: 'bookedAt', dataIndex: 'bookedAt', title: t('customer360.col.bookedAt'), width: 150, render: (at: string) => <span className="money">{dayjs(at).format('YYYY-MM-DD HH:mm')}</span> },
    { key: 'accountId', dataIndex: 'accountId', title: t('customer360.col.accountId'), render: (id: string) => <span className="money">{id}</span> },
    {
      key: 'amount',
      dataIndex: 'amount',
      title: t('customer360.col.amount'),
      align: 'right',
      render: (a: string) => (
        <span style={{ color: a.startsWith('-') ? STATE_HEX.red : STATE_HEX.green }}>
          <Yuan yuan={a} />
        </span>
      ),
    },
    { key: 'channel', dataIndex: 'channel', title: t('customer360.col.channel'), width: 110, render: (c: Txn['channel']) => t(`customer360.channel.${c}`) },
    { key: 'counterparty', dataIndex: 'counterparty', title: t('customer360.col.counterparty'), ellipsis: true, render: (c: string | null) => c ?? '—' },
  ];

  return (
    <Card size="small" title={t('customer360.transactions')} className="section-card">
      {txns.error && <Alert type="error" showIcon title={txns.error.message} style={{ marginBottom: 8 }} />}
      <Table<Txn>
        size="small"
        rowKey="txnId"
        columns={columns}
        dataSource={txns.data?.items ?? []}
        loading={txns.loading}
        locale={{ emptyText: txns.loading ? ' ' : t('customer360.noTransactions') }}
        data-testid="transactions-table"
        scroll={{ x: 700 }}
        pagination={{
          current: page,
          pageSize,
          total: txns.data?.total ?? 0,
          size: 'small',
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          onChange: (p, size) => {
            setPage(size === pageSize ? p : 1);
            setPageSize(size);
          },
        }}
      />
    </Card>
  );
}
