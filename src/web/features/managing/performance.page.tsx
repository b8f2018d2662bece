import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Drawer, Form, Segmented, Select, Space, Table, Tabs, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { STATE_HEX } from '../../app/theme.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { BranchTreeSelect } from '../customers/customer-list.filters.js';
import { formatWan, toCents } from '../customers/money.js';
import { Wan } from '../customers/money.view.js';
import { performanceApi, type CustomerMeasure, type Figures, type PerformanceQuery, type StaffFigures } from './performance.api.js';

// 管户业绩统计 (issue 20 §1): a line per staff member (a branch head: their branches'; the
// department: the bank's; anyone else: their own), per branch and in total, for a month, quarter,
// year or two loaded business dates, the previous period beside each figure on hover. Every
// customer figure opens the customers behind it. The choices live in the URL, so a view can be shared.

type Kind = NonNullable<PerformanceQuery['period']>;
const KINDS: Kind[] = ['month', 'quarter', 'year', 'range'];
const pct = (n: number | null) => (n === null ? '—' : `${(n * 100).toFixed(1)}%`);
const share = (n: number, of: number) => (of ? n / of : null);

interface Drill {
  staffId?: string;
  who: string;
  measure: CustomerMeasure;
}

export function PerformancePage() {
  const { t } = useTranslation();
  const session = useSession();
  const reviewer = session.user?.role === 'branch_head' || session.user?.role === 'pb_dept';
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) || undefined;
  const kind = (get('period') as Kind | undefined) ?? 'month';
  const q: PerformanceQuery = { period: kind, month: get('month'), quarter: get('quarter'), year: get('year'), from: get('from'), to: get('to'), branchId: get('branchId') };
  const report = useApi(`performance?${JSON.stringify(q)}`, (signal) => performanceApi.report(q, signal));
  const [drill, setDrill] = useState<Drill | null>(null);
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined ? next.delete(k) : next.set(k, v));
    setParams(next);
  };
  const data = report.data;
  const dates = data?.loadedDates ?? [];

  /** a figure that opens its customers */
  const open = (n: number, d: Omit<Drill, 'measure'> | null, measure: CustomerMeasure): ReactNode =>
    n > 0 && d ? (
      <Typography.Link data-testid={`drill-${measure}`} onClick={() => setDrill({ ...d, measure })}>
        {n.toLocaleString('en-US')}
      </Typography.Link>
    ) : (
      <span>{n.toLocaleString('en-US')}</span>
    );
  const change = (yuan: string) => {
    const c = toCents(yuan);
    return <span style={{ color: c < 0n ? STATE_HEX.red : c > 0n ? STATE_HEX.green : undefined }} className="money">{c > 0n ? '+' : ''}{formatWan(yuan)}</span>;
  };
  const was = (node: ReactNode, prev: string | null) => (prev === null ? node : <Tooltip title={t('performance.previousValue', { value: prev })}>{node}</Tooltip>);

  function figureColumns<T extends { figures: Figures; previous: Figures | null }>(who: (r: T) => Omit<Drill, 'measure'> | null): TableColumnsType<T> {
    const c = (r: T) => r.figures;
    return [
      { key: 'customers', title: t('performance.cols.customers'), align: 'right', sorter: (a, b) => c(a).customers - c(b).customers, render: (_, r) => was(open(c(r).customers, who(r), 'customers'), r.previous ? String(r.previous.customers) : null) },
      { key: 'aumEnd', title: t('performance.cols.aumEnd'), align: 'right', defaultSortOrder: 'descend', sorter: (a, b) => Number(toCents(c(a).aumEnd) - toCents(c(b).aumEnd)), render: (_, r) => <Wan yuan={c(r).aumEnd} /> },
      { key: 'aumChange', title: t('performance.cols.aumChange'), align: 'right', sorter: (a, b) => Number(toCents(c(a).aumChange) - toCents(c(b).aumChange)), render: (_, r) => was(change(c(r).aumChange), r.previous ? formatWan(r.previous.aumChange) : null) },
      { key: 'depositsEnd', title: t('performance.cols.depositsEnd'), align: 'right', sorter: (a, b) => Number(toCents(c(a).depositsEnd) - toCents(c(b).depositsEnd)), render: (_, r) => <Wan yuan={c(r).depositsEnd} /> },
      { key: 'depositsChange', title: t('performance.cols.depositsChange'), align: 'right', render: (_, r) => change(c(r).depositsChange) },
      { key: 'signed', title: t('performance.cols.signed'), align: 'right', sorter: (a, b) => c(a).signed - c(b).signed, render: (_, r) => open(c(r).signed, who(r), 'signed') },
      {
        key: 'coverage',
        title: t('performance.cols.coverage'),
        children: (
          [
            ['timeDeposit', 'time_deposit'],
            ['wealth', 'wealth'],
            ['fund', 'fund'],
            ['insurance', 'insurance'],
            ['mobile', 'mobile'],
          ] as const
        ).map(([k, measure]) => ({
          key: k,
          title: t(`performance.cols.${k}`),
          align: 'right' as const,
          sorter: (a: T, b: T) => (share(c(a).coverage[k], c(a).customers) ?? -1) - (share(c(b).coverage[k], c(b).customers) ?? -1),
          render: (_: unknown, r: T) => {
            const d = who(r);
            const v = pct(share(c(r).coverage[k], c(r).customers));
            return c(r).coverage[k] > 0 && d ? <Typography.Link onClick={() => setDrill({ ...d, measure })}>{v}</Typography.Link> : v;
          },
        })),
      },
      { key: 'contacts', title: t('performance.cols.contacts'), align: 'right', sorter: (a, b) => c(a).contacts - c(b).contacts, render: (_, r) => was(c(r).contacts, r.previous ? String(r.previous.contacts) : null) },
      { key: 'plan', title: t('performance.cols.plan'), align: 'right', sorter: (a, b) => (c(a).planRate ?? -1) - (c(b).planRate ?? -1), render: (_, r) => `${pct(c(r).planRate)} (${c(r).planDone}/${c(r).planItems})` },
      { key: 'moves', title: t('performance.cols.moves'), align: 'right', render: (_, r) => <Space size={4}>{open(c(r).upMoves, who(r), 'up_moves')}/{open(c(r).downMoves, who(r), 'down_moves')}</Space> },
      { key: 'churned', title: t('performance.cols.churned'), align: 'right', sorter: (a, b) => c(a).churned - c(b).churned, render: (_, r) => open(c(r).churned, who(r), 'churned') },
      { key: 'conversion', title: t('performance.cols.conversion'), align: 'right', render: (_, r) => `${pct(c(r).conversion)} (${c(r).opportunitiesWon}/${c(r).opportunitiesWon + c(r).opportunitiesLost})` },
      { key: 'referrals', title: t('performance.cols.referrals'), align: 'right', render: (_, r) => `${c(r).referralsSent} (${c(r).referralsConverted})` },
    ];
  }

  const staffColumns: TableColumnsType<StaffFigures> = [
    {
      key: 'staff',
      title: t('performance.cols.staff'),
      fixed: 'left',
      sorter: (a, b) => a.staffId.localeCompare(b.staffId),
      render: (_, r) => (
        <Space size={4}>
          <span>{r.name}</span>
          <Typography.Text type="secondary">{r.staffId}</Typography.Text>
          {!r.active && <Tag>{t('performance.inactive')}</Tag>}
        </Space>
      ),
    },
    { key: 'branch', title: t('performance.cols.branch'), render: (_, r) => r.branchName },
    ...figureColumns<StaffFigures>((r) => ({ staffId: r.staffId, who: r.name })),
  ];
  type BranchLine = NonNullable<typeof data>['branches'][number];
  const branchColumns: TableColumnsType<BranchLine> = [
    { key: 'branch', title: t('performance.cols.branch'), fixed: 'left', render: (_, r) => r.branchName },
    { key: 'staffCount', title: t('performance.cols.staffCount'), align: 'right', render: (_, r) => r.staff },
    // a branch's line sums its staff's: their customers open from the staff lines
    ...figureColumns<BranchLine>(() => null),
  ];

  const periodPicker = () => {
    if (kind === 'range') {
      const options = dates.map((d) => ({ value: d, label: d }));
      return (
        <>
          <Form.Item label={t('performance.from')} htmlFor="perf-from">
            <Select id="perf-from" data-testid="perf-from" style={{ width: 140 }} value={q.from ?? data?.period.from} options={options} onChange={(v: string) => set({ from: v, to: q.to ?? data?.period.to })} />
          </Form.Item>
          <Form.Item label={t('performance.to')} htmlFor="perf-to">
            <Select id="perf-to" data-testid="perf-to" style={{ width: 140 }} value={q.to ?? data?.period.to} options={options} onChange={(v: string) => set({ to: v, from: q.from ?? data?.period.from })} />
          </Form.Item>
        </>
      );
    }
    const value = data ? dayjs(data.period.to) : undefined;
    const onChange = (d: dayjs.Dayjs | null) => {
      if (!d) return set({ month: undefined, quarter: undefined, year: undefined });
      if (kind === 'month') set({ month: d.format('YYYY-MM') });
      else if (kind === 'quarter') set({ quarter: `${d.year()}-Q${Math.floor(d.month() / 3) + 1}` });
      else set({ year: String(d.year()) });
    };
    return (
      <Form.Item label={t('performance.period')} htmlFor="perf-picker">
        <DatePicker id="perf-picker" data-testid="perf-picker" picker={kind} value={value} onChange={onChange} allowClear={false} />
      </Form.Item>
    );
  };

  return (
    <div data-testid="performance-page">
      <div className="page-header">
        <PageTitle>{t('performance.title')}</PageTitle>
        {data && (
          <Typography.Text type="secondary" data-testid="perf-period">
            {t('performance.periodLine', data.period)}
            {' · '}
            {data.previous ? t('performance.previousLine', data.previous) : t('performance.noPrevious')}
          </Typography.Text>
        )}
      </div>
      <Card size="small" variant="borderless" className="section-card">
        <Typography.Paragraph type="secondary">{t('performance.hint')}</Typography.Paragraph>
        <Form layout="inline" className="filter-bar" component="div">
          <Form.Item>
            <Segmented<Kind>
              data-testid="perf-kind"
              value={kind}
              options={KINDS.map((k) => ({ value: k, label: t(`performance.periods.${k}`) }))}
              onChange={(k) => set({ period: k === 'month' ? undefined : k, month: undefined, quarter: undefined, year: undefined, from: undefined, to: undefined })}
            />
          </Form.Item>
          {periodPicker()}
          {reviewer && (
            <Form.Item label={t('performance.branch')} htmlFor="perf-branch">
              <BranchTreeSelect id="perf-branch" testId="perf-branch" value={q.branchId} onChange={(b) => set({ branchId: b })} placeholder={t('performance.allBranches')} />
            </Form.Item>
          )}
          <Form.Item>
            <Button icon={<DownloadOutlined />} href={performanceApi.sheetUrl(q)} data-testid="perf-download">
              {t('performance.download')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {report.error && <Alert type="error" showIcon message={report.error.message} style={{ marginBottom: 12 }} data-testid="perf-error" />}
      <Card size="small" variant="borderless" className="section-card">
        <Tabs
          items={[
            {
              key: 'staff',
              label: t('performance.tabs.staff'),
              children: (
                <Table<StaffFigures>
                  data-testid="perf-staff"
                  rowKey="staffId"
                  size="small"
                  loading={report.loading}
                  columns={staffColumns}
                  dataSource={data?.staff ?? []}
                  scroll={{ x: 'max-content' }}
                  pagination={{ pageSize: 50, hideOnSinglePage: true }}
                  summary={() =>
                    data && data.staff.length > 1 ? (
                      <Table.Summary.Row>
                        <Table.Summary.Cell index={0} colSpan={2}>{t('performance.total')}</Table.Summary.Cell>
                        <Table.Summary.Cell index={2} align="right">{data.total.figures.customers.toLocaleString('en-US')}</Table.Summary.Cell>
                        <Table.Summary.Cell index={3} align="right"><Wan yuan={data.total.figures.aumEnd} /></Table.Summary.Cell>
                        <Table.Summary.Cell index={4} align="right">{change(data.total.figures.aumChange)}</Table.Summary.Cell>
                        <Table.Summary.Cell index={5} align="right"><Wan yuan={data.total.figures.depositsEnd} /></Table.Summary.Cell>
                        <Table.Summary.Cell index={6} align="right">{change(data.total.figures.depositsChange)}</Table.Summary.Cell>
                      </Table.Summary.Row>
                    ) : null
                  }
                />
              ),
            },
            ...(reviewer
              ? [
                  {
                    key: 'branches',
                    label: t('performance.tabs.branches'),
                    children: <Table<BranchLine> data-testid="perf-branches" rowKey="branchId" size="small" loading={report.loading} columns={branchColumns} dataSource={data?.branches ?? []} scroll={{ x: 'max-content' }} pagination={false} />,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {drill && <DrillDrawer drill={drill} q={q} onClose={() => setDrill(null)} />}
    </div>
  );
}

function DrillDrawer({ drill, q, onClose }: { drill: Drill; q: PerformanceQuery; onClose: () => void }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(0);
  const pageSize = 20;
  const key = JSON.stringify({ q, drill, page });
  const list = useApi(`perf-drill?${key}`, (signal) => performanceApi.customers({ ...q, measure: drill.measure, staffId: drill.staffId, page, pageSize }, signal));
  return (
    <Drawer
      open
      width={720}
      onClose={onClose}
      title={t('performance.drill.title', { who: drill.who || t('performance.drill.everyone'), measure: t(`performance.measures.${drill.measure}`) })}
      data-testid="perf-drill"
    >
      {list.error && <Alert type="error" showIcon message={list.error.message} />}
      <Typography.Text type="secondary">{t('performance.drill.total', { n: list.data?.total ?? 0 })}</Typography.Text>
      <Table
        rowKey="customerId"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page + 1, pageSize, total: list.data?.total ?? 0, onChange: (p) => setPage(p - 1), hideOnSinglePage: true, showSizeChanger: false }}
        columns={[
          { key: 'customer', title: t('performance.drill.customer'), render: (_, r) => <Link to={`/customers/${encodeURIComponent(r.customerId)}`}>{r.name} <Typography.Text type="secondary">{r.customerId}</Typography.Text></Link> },
          { key: 'aumStart', title: t('performance.drill.aumStart'), align: 'right', render: (_, r) => (r.aumStart === null ? '—' : <Wan yuan={r.aumStart} />) },
          { key: 'aumEnd', title: t('performance.drill.aumEnd'), align: 'right', render: (_, r) => (r.aumEnd === null ? t('performance.drill.left') : <Wan yuan={r.aumEnd} />) },
          { key: 'band', title: t('performance.drill.band'), render: (_, r) => (r.bandStart || r.bandEnd ? `${r.bandStart ?? '—'} → ${r.bandEnd ?? '—'}` : '') },
        ]}
      />
    </Drawer>
  );
}
