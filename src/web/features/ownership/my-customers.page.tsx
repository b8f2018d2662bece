import { Alert, Card, Table, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { apiRequest } from '../../app/api.js';
import type { CustomerList, CustomerListRow } from '../customers/customers.api.js';
import { Wan } from '../customers/money.view.js';
import { BandTag, CustomerLink } from './ownership.parts.js';
import { PageTitle } from '../../app/page-title.js';

/** "My customers": the customer list narrowed to those the signed-in person owns or co-owns (owner=me). */
export function MyCustomersPage() {
  const { t, i18n } = useTranslation();
  const list = useApi(`my-customers/${i18n.language}`, (signal) =>
    apiRequest<CustomerList>('/api/customers', { query: { owner: 'me', sort: 'aum_desc', pageSize: 200 }, signal }),
  );
  const columns: TableColumnsType<CustomerListRow> = [
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, c) => <CustomerLink customer={c} /> },
    { key: 'branch', title: t('customers.col.branch'), render: (_, c) => c.branch.name },
    { key: 'aum', title: t('customers.col.aum'), render: (_, c) => <Wan yuan={c.aum} /> },
    { key: 'band', title: t('customers.col.aumBand'), render: (_, c) => <BandTag band={c.aumBand} /> },
  ];
  return (
    <Card size="small" className="section-card" data-testid="my-customers">
      <PageTitle>{t('ownership.mine.title')}</PageTitle>
      {list.error ? (
        <Alert type="error" showIcon title={list.error.message} />
      ) : (
        <Table<CustomerListRow> size="small" rowKey="customerId" loading={list.loading} dataSource={list.data?.items ?? []} columns={columns} pagination={{ pageSize: 50 }} locale={{ emptyText: t('ownership.mine.empty') }} />
      )}
    </Card>
  );
}
