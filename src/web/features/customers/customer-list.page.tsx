import { Alert, Button, Card, Table, Tag, Typography, type TableColumnsType, type TableProps } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../../app/use-api.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { CardGradeTag } from './customer-tags.js';
import { CustomerListFilters } from './customer-list.filters.js';
import { DEFAULT_SORT, PAGE_SIZES, readListState, toApiQuery, writeListState, type ListFilters, type ListState } from './customer-list.params.js';
import { customersApi, type CustomerListRow, type CustomerSort } from './customers.api.js';
import { Wan } from './money.view.js';
import { PageTitle } from '../../app/page-title.js';

type SortOrder = 'ascend' | 'descend' | null;

/** Which column and direction a `sort` value shows as. */
function sortOrderOf(sort: CustomerSort, column: 'aum' | 'name' | 'openedOn'): SortOrder {
  if (column === 'aum') return sort === 'aum_desc' ? 'descend' : sort === 'aum_asc' ? 'ascend' : null;
  if (column === 'name') return sort === 'name' ? 'ascend' : null;
  return sort === 'opened_desc' ? 'descend' : sort === 'opened_asc' ? 'ascend' : null;
}

function sortOf(sorter: SorterResult<CustomerListRow>): CustomerSort {
  const { columnKey, order } = sorter;
  if (!order) return DEFAULT_SORT;
  if (columnKey === 'aum') return order === 'ascend' ? 'aum_asc' : 'aum_desc';
  if (columnKey === 'name') return 'name';
  if (columnKey === 'openedOn') return order === 'ascend' ? 'opened_asc' : 'opened_desc';
  return DEFAULT_SORT;
}

const rowTestProps = { 'data-testid': 'customer-row' };

/** The customer list: server-side paging, sorting and filters, all kept in the URL. */
export function CustomerListPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const state = useMemo(() => readListState(params), [params]);
  const apiQuery = toApiQuery(state);
  const list = useApi(`customers?${JSON.stringify(apiQuery)}&${i18n.language}`, (signal) => customersApi.list(apiQuery, signal));

  const go = (next: ListState) => {
    const search = writeListState(next);
    if (search.toString() !== params.toString()) setParams(search);
  };
  const onFilters = (filters: ListFilters) => go({ ...state, ...filters, page: 1 });
  const open = (customerId: string) => void navigate(`/customers/${encodeURIComponent(customerId)}`, { state: { listSearch: location.search } });

  const onTableChange: TableProps<CustomerListRow>['onChange'] = (pagination, _filters, sorter) => {
    const sort = Array.isArray(sorter) ? state.sort : sortOf(sorter);
    const pageSize = pagination.pageSize ?? state.pageSize;
    const page = sort !== state.sort || pageSize !== state.pageSize ? 1 : (pagination.current ?? 1);
    go({ ...state, sort, page, pageSize });
  };

  const columns: TableColumnsType<CustomerListRow> = [
    { key: 'customerId', dataIndex: 'customerId', title: t('customers.col.customerId'), width: 130, fixed: 'left', render: (id: string) => <span className="money">{id}</span> },
    {
      key: 'name',
      dataIndex: 'name',
      title: t('customers.col.name'),
      width: 120,
      fixed: 'left',
      sorter: true,
      sortDirections: ['ascend'],
      sortOrder: sortOrderOf(state.sort, 'name'),
      render: (name: string, row) => (
        <Link to={`/customers/${encodeURIComponent(row.customerId)}`} state={{ listSearch: location.search }} onClick={(e) => e.stopPropagation()} data-testid="customer-link">
          {name}
        </Link>
      ),
    },
    {
      key: 'gender',
      dataIndex: 'gender',
      title: t('customers.col.gender'),
      width: 64,
      render: (g: CustomerListRow['gender']) => (g === 'M' ? t('common.male') : g === 'F' ? t('common.female') : t('common.none')),
    },
    { key: 'phone', dataIndex: 'phone', title: t('customers.col.phone'), width: 130, render: (p: string | null) => <span className="money">{p ?? t('common.none')}</span> },
    { key: 'branch', dataIndex: ['branch', 'name'], title: t('customers.col.branch'), width: 160, ellipsis: true },
    {
      key: 'aum',
      dataIndex: 'aum',
      title: t('customers.col.aum'),
      align: 'right',
      width: 140,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sortOrderOf(state.sort, 'aum'),
      render: (aum: string) => <Wan yuan={aum} />,
    },
    {
      key: 'aumBand',
      dataIndex: 'aumBand',
      title: t('customers.col.aumBand'),
      width: 130,
      render: (tier: string | null) => <ListTierTag model="aum_band" tier={tier} />,
    },
    {
      key: 'relationshipTier',
      dataIndex: 'relationshipTier',
      title: t('customers.col.relationshipTier'),
      width: 100,
      render: (tier: string | null) => <ListTierTag model="relationship_tier" tier={tier} />,
    },
    {
      key: 'householdBand',
      dataIndex: 'householdBand',
      title: t('customers.col.householdBand'),
      width: 130,
      render: (tier: string | null) => <ListTierTag model="aum_band" tier={tier} />,
    },
    {
      key: 'vipCard',
      dataIndex: 'vipCard',
      title: t('customers.col.vipCard'),
      width: 90,
      render: (grade: CustomerListRow['vipCard']) => (grade ? <CardGradeTag grade={grade} /> : null),
    },
    {
      key: 'openedOn',
      dataIndex: 'openedOn',
      title: t('customers.col.openedOn'),
      width: 110,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sortOrderOf(state.sort, 'openedOn'),
      render: (d: string, row) => (
        <>
          <span className="money">{d}</span>
          {row.status === 'left' && (
            <Tag style={{ marginInlineStart: 6 }} color="default">
              {t('common.left')}
            </Tag>
          )}
        </>
      ),
    },
  ];

  const tableWidth = columns.reduce((sum, c) => sum + (typeof c.width === 'number' ? c.width : 0), 0);
  const data = list.data;
  const totalText = data
    ? data.totalIsLowerBound
      ? t('customers.totalLowerBound', { n: data.total.toLocaleString('en-US') })
      : t('customers.total', { count: data.total, n: data.total.toLocaleString('en-US') })
    : '';

  return (
    <>
      <div className="page-header">
        <PageTitle>{t('customers.title')}</PageTitle>
      </div>
      <Card size="small" variant="borderless">
        <CustomerListFilters value={state} onChange={onFilters} />
        {list.error && (
          <Alert
            type="error"
            showIcon
            title={list.error.message}
            style={{ marginBottom: 12 }}
            data-testid="list-error"
            action={
              <Button size="small" onClick={list.reload}>
                {t('app.retry')}
              </Button>
            }
          />
        )}
        <div className="table-summary">
          <span data-testid="customer-total">
            {data?.totalIsLowerBound ? <Typography.Text type="warning">{totalText}</Typography.Text> : totalText}
          </span>
          <span data-testid="as-of">{data ? (data.asOf ? t('customers.asOf', { date: data.asOf }) : t('customers.asOfUnknown')) : ''}</span>
        </div>
        <Table<CustomerListRow>
          className="clickable-rows"
          size="small"
          rowKey="customerId"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={list.loading}
          onChange={onTableChange}
          onRow={(row) => ({ ...rowTestProps, onClick: () => open(row.customerId) })}
          locale={{ emptyText: list.loading ? ' ' : t('customers.empty') }}
          // the columns' widths added up: none is squeezed; number and name stay in view as the table scrolls
          scroll={{ x: tableWidth }}
          pagination={{
            current: state.page,
            pageSize: state.pageSize,
            total: data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES,
            showQuickJumper: true,
            showTotal: () => totalText,
            size: 'small',
          }}
        />
      </Card>
    </>
  );
}
