import { Alert, Button, Drawer, Form, Select, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useApi } from '../../app/use-api.js';
import { BranchTreeSelect } from '../customers/customer-list.filters.js';
import { Wan } from '../customers/money.view.js';
import { CustomerLink, StaffName } from '../ownership/ownership.parts.js';
import { dashboardsApi, type DashboardItem, type ItemsChoice, type PeriodChoice } from './dashboards.api.js';

// What the two dashboard pages share: the period and branch in the URL, the bar that picks them,
// the notes on how complete the figures are, and the drawer listing what is behind a number.

/** The period and branch of the page, from its URL (so a view can be shared and reloaded). */
export function usePeriod(): [PeriodChoice, (patch: Partial<Record<'from' | 'to' | 'branchId', string | undefined>>) => void] {
  const [params, setParams] = useSearchParams();
  const value = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const set = (patch: Partial<Record<'from' | 'to' | 'branchId', string | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  return [{ from: value('from'), to: value('to'), branchId: value('branchId') }, set];
}

/** A fraction as a percentage with one decimal, or — when there is nothing to divide by. */
export const percent = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
export const count = (n: number) => n.toLocaleString('en-US');

/** The period (A and B among the loaded dates) and, unless hidden, the branch. */
export function PeriodBar({ period, dates, onChange, branch = true }: { period: { from: string; to: string } | undefined; dates: readonly string[]; onChange: (p: Partial<Record<'from' | 'to' | 'branchId', string | undefined>>) => void; branch?: boolean }) {
  const { t } = useTranslation();
  const [choice] = usePeriod();
  const options = dates.map((d) => ({ value: d, label: d }));
  return (
    <Form layout="inline" className="filter-bar" component="div">
      <Form.Item label={t('dashboards.period.from')} htmlFor="dashboard-from">
        <Select<string> id="dashboard-from" data-testid="dashboard-from" style={{ width: 140 }} value={period?.from} options={options} onChange={(d) => onChange({ from: d })} showSearch />
      </Form.Item>
      <Form.Item label={t('dashboards.period.to')} htmlFor="dashboard-to">
        <Select<string> id="dashboard-to" data-testid="dashboard-to" style={{ width: 140 }} value={period?.to} options={options} onChange={(d) => onChange({ to: d })} showSearch />
      </Form.Item>
      {branch && (
        <Form.Item label={t('dashboards.period.branch')} htmlFor="dashboard-branch">
          <BranchTreeSelect id="dashboard-branch" testId="dashboard-branch" value={choice.branchId} placeholder={t('dashboards.period.branchPlaceholder')} onChange={(b) => onChange({ branchId: b })} />
        </Form.Item>
      )}
    </Form>
  );
}

/** How complete the figures are: dates the batch has not counted, and when plans and events were last counted. */
export function PeriodNotes({ data }: { data: { missingDates: string[]; countedOn: string | null } | undefined }) {
  const { t, i18n } = useTranslation();
  if (!data) return null;
  return (
    <>
      {data.missingDates.length > 0 && <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="dashboard-missing" title={t('dashboards.period.missing', { dates: data.missingDates.join(i18n.language === 'en' ? ', ' : '、') })} />}
      {data.countedOn && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="dashboard-counted-on">
          {t('dashboards.period.countedOn', { date: data.countedOn })}
        </Typography.Text>
      )}
    </>
  );
}

/** A number that opens the list behind it. */
export function Drill({ children, onOpen, testId }: { children: ReactNode; onOpen: () => void; testId?: string }) {
  return (
    <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} className="money" onClick={onOpen} data-testid={testId}>
      {children}
    </Button>
  );
}

/** The drawer's state: which list is open (null: none). */
export function useDrill(): [ItemsChoice | null, (c: ItemsChoice | null) => void] {
  return useState<ItemsChoice | null>(null);
}

const PAGE_SIZE = 20;
type ItemRow = DashboardItem & { key: number };

/** The customers, plan items, events, referrals or opportunities behind a number, a page at a time. */
export function ItemsDrawer({ choice, onClose }: { choice: ItemsChoice | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [shown, setShown] = useState<ItemsChoice | null>(choice);
  if (choice !== shown) {
    setShown(choice);
    setPage(1);
  }
  const key = choice ? JSON.stringify({ ...choice, page }) : 'closed';
  const items = useApi(`dashboard-items/${key}`, (signal) => (choice ? dashboardsApi.items({ ...choice, page, pageSize: PAGE_SIZE }, signal) : Promise.resolve(undefined)));
  const measure = choice?.measure;
  const detailText = (x: DashboardItem) => {
    if (!x.detail) return '';
    const key =
      measure === 'events'
        ? `worklist.events.${x.detail}`
        : measure === 'plans'
          ? `worklist.reasons.${x.detail}`
          : measure === 'referrals'
            ? `ownership.needs.${x.detail}`
            : x.detail === 'vip_signing'
              ? 'opportunities.targetTypes.vip_signing'
              : `opportunities.kinds.${x.detail}`;
    // i18next gives the key back when it has none (a named product's code): show the code then
    const said = t(key as never) as string;
    return said === key ? x.detail : said;
  };
  const statusText = (s: string) => (measure === 'opportunities' ? t(`opportunities.stages.${s}` as never) : t(`dashboards.items.states.${s}` as never)) as string;
  const columns: TableColumnsType<ItemRow> = [
    {
      key: 'customer',
      title: t('dashboards.items.customer'),
      render: (_, x) => (x.customer.customerId ? <CustomerLink customer={{ customerId: x.customer.customerId, name: x.customer.name }} /> : x.customer.name),
    },
    { key: 'branch', title: t('dashboards.columns.branch'), render: (_, x) => x.branch.name },
    { key: 'staff', title: t('dashboards.columns.staff'), render: (_, x) => <StaffName staff={x.staff} /> },
    { key: 'date', title: t('dashboards.items.date'), render: (_, x) => <span className="money">{x.date}</span> },
    { key: 'status', title: t('dashboards.items.status'), render: (_, x) => <Tag>{statusText(x.status)}</Tag> },
    ...(measure === 'churn'
      ? [
          { key: 'a', title: t('dashboards.items.amountOnA'), align: 'right' as const, render: (_: unknown, x: ItemRow) => (x.amount ? <Wan yuan={x.amount} /> : '—') },
          { key: 'b', title: t('dashboards.items.amountOnB'), align: 'right' as const, render: (_: unknown, x: ItemRow) => (x.amountOnB ? <Wan yuan={x.amountOnB} /> : '—') },
        ]
      : [
          { key: 'detail', title: t('dashboards.items.detail'), render: (_: unknown, x: ItemRow) => detailText(x) },
          ...(measure === 'opportunities' ? [{ key: 'amount', title: t('dashboards.items.amount'), align: 'right' as const, render: (_: unknown, x: ItemRow) => (x.amount ? <Wan yuan={x.amount} /> : '—') }] : []),
        ]),
  ];
  const data = choice ? items.data : undefined;
  const title = choice ? `${t(`dashboards.items.measures.${choice.measure}`)}${choice.status ? ` · ${statusText(choice.status)}` : ''}${data ? ` · ${t('dashboards.period.range', { from: data.from, to: data.to })}` : ''}` : t('dashboards.items.title');
  return (
    <Drawer open={choice !== null} onClose={onClose} size={900} title={title} data-testid="dashboard-items" destroyOnHidden>
      {items.error && <Alert type="error" showIcon title={items.error.message} style={{ marginBottom: 12 }} />}
      <Table<ItemRow>
        size="small"
        rowKey="key"
        columns={columns}
        dataSource={(data?.items ?? []).map((x, key) => ({ ...x, key }))}
        loading={items.loading}
        locale={{ emptyText: t('dashboards.items.empty') }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: data?.total ?? 0,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (n) => (data?.totalIsLowerBound ? t('dashboards.items.totalMore', { n: count(n) }) : t('dashboards.items.total', { n: count(n) })),
        }}
        data-testid="dashboard-items-table"
      />
    </Drawer>
  );
}
