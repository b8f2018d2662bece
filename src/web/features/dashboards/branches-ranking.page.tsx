import { Alert, Breadcrumb, Button, Card, Form, Select, Skeleton, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EChart, type ChartOption } from '../../app/echart.js';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { wanNumber } from '../customers/money.js';
import { Wan } from '../customers/money.view.js';
import { count, Drill, ItemsDrawer, percent, PeriodBar, PeriodNotes, useDrill, usePeriod } from './dashboard-parts.js';
import { dashboardsApi, type ItemsChoice, type RankingRow } from './dashboards.api.js';

// The department's dashboard (issue 20 §2): the branches under one (the bank's first level by
// default) side by side for a period, a sortable table of the same figures as a branch's dashboard
// and a chart of one of them; a branch with branches under it opens them, every number its list.

type Measure = 'customers' | 'aum' | 'churn' | 'aumLost' | 'planRate' | 'conversion' | 'referrals' | 'eventsRate';
const MEASURES: readonly Measure[] = ['aum', 'customers', 'churn', 'aumLost', 'planRate', 'conversion', 'referrals', 'eventsRate'];

function measureValue(r: RankingRow, m: Measure): number {
  switch (m) {
    case 'aum':
      return wanNumber(r.aum);
    case 'aumLost':
      return wanNumber(r.aumLost);
    case 'planRate':
    case 'conversion':
    case 'eventsRate':
      return r[m] === null ? 0 : Math.round(r[m] * 1000) / 10;
    default:
      return r[m];
  }
}

export function BranchesRankingPage() {
  const { t, i18n } = useTranslation();
  const [choice, set] = usePeriod();
  const [drill, setDrill] = useDrill();
  const [measure, setMeasure] = useState<Measure>('aum');
  // the branches opened so far (the breadcrumb): the last one's branches are compared
  const [trail, setTrail] = useState<{ id: string; name: string }[]>([]);
  const parentId = choice.branchId;
  const ranking = useApi(`dashboard-branches/${JSON.stringify(choice)}/${i18n.language}`, (signal) => dashboardsApi.branches(choice, signal));
  const data = ranking.data;
  const open = (branchId: string, c: Omit<ItemsChoice, 'from' | 'to' | 'branchId'>) => data && setDrill({ from: data.from, to: data.to, branchId, ...c });
  const measureLabel = (m: Measure): string =>
    ({
      aum: t('dashboards.figures.aum'),
      customers: t('dashboards.figures.customers'),
      churn: t('dashboards.ranking.churn'),
      aumLost: t('dashboards.ranking.aumLost'),
      planRate: t('dashboards.figures.planRate'),
      conversion: t('dashboards.figures.conversion'),
      referrals: t('dashboards.figures.referrals'),
      eventsRate: t('dashboards.figures.events'),
    })[m];

  const chart = useMemo<ChartOption | null>(() => {
    if (!data) return null;
    const rows = [...data.rows].sort((a, b) => measureValue(b, measure) - measureValue(a, measure));
    return {
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map((r) => r.branch.name), axisLabel: { fontSize: 11, interval: 0, rotate: rows.length > 8 ? 30 : 0 } },
      yAxis: { type: 'value', name: ['planRate', 'conversion', 'eventsRate'].includes(measure) ? '%' : ['aum', 'aumLost'].includes(measure) ? '万' : '', axisLabel: { fontSize: 11 } },
      series: [{ type: 'bar', name: measureLabel(measure), data: rows.map((r) => measureValue(r, measure)), itemStyle: { color: '#1d5fa6' }, barMaxWidth: 36 }],
    };
  }, [data, measure, i18n.language]); // eslint-disable-line react-hooks/exhaustive-deps

  const drillInto = (r: RankingRow) => {
    setTrail([...trail, { id: r.branch.id, name: r.branch.name }]);
    set({ branchId: r.branch.id });
  };
  const back = (i: number) => {
    const next = trail.slice(0, i);
    setTrail(next);
    set({ branchId: next.at(-1)?.id });
  };

  const n = (key: string, title: string, pick: (r: RankingRow) => number, drillTo?: (r: RankingRow) => Omit<ItemsChoice, 'from' | 'to' | 'branchId'>): TableColumnsType<RankingRow>[number] => ({
    key,
    title,
    align: 'right',
    sorter: (a, b) => pick(a) - pick(b),
    render: (_, r) =>
      drillTo && pick(r) > 0 ? (
        <Drill onOpen={() => open(r.branch.id, drillTo(r))} testId={`rank-${key}-${r.branch.id}`}>
          {count(pick(r))}
        </Drill>
      ) : (
        <span className="money">{count(pick(r))}</span>
      ),
  });
  const money = (key: string, title: string, pick: (r: RankingRow) => string): TableColumnsType<RankingRow>[number] => ({
    key,
    title,
    align: 'right',
    sorter: (a, b) => wanNumber(pick(a)) - wanNumber(pick(b)),
    render: (_, r) => <Wan yuan={pick(r)} />,
  });
  const rate = (key: string, title: string, pick: (r: RankingRow) => number | null): TableColumnsType<RankingRow>[number] => ({
    key,
    title,
    align: 'right',
    sorter: (a, b) => (pick(a) ?? -1) - (pick(b) ?? -1),
    render: (_, r) => <span className="money">{percent(pick(r))}</span>,
  });
  const columns: TableColumnsType<RankingRow> = [
    {
      key: 'branch',
      title: t('dashboards.columns.branch'),
      fixed: 'left',
      sorter: (a, b) => (a.branch.id < b.branch.id ? -1 : 1),
      render: (_, r) => (
        <Space size={4}>
          {r.hasChildren ? (
            <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drillInto(r)} title={t('dashboards.ranking.drill')} data-testid={`rank-drill-${r.branch.id}`}>
              {r.branch.name}
            </Button>
          ) : (
            <span>{r.branch.name}</span>
          )}
          <Link to={`/dashboards/branch?${new URLSearchParams({ branchId: r.branch.id, ...(data ? { from: data.from, to: data.to } : {}) }).toString()}`} style={{ fontSize: 12 }}>
            {t('dashboards.ranking.openBranch')}
          </Link>
        </Space>
      ),
    },
    n('customers', t('dashboards.figures.customers'), (r) => r.customers),
    n('customersOnA', t('dashboards.ranking.customersOnA'), (r) => r.customersOnA),
    money('aum', t('dashboards.figures.aum'), (r) => r.aum),
    money('aumOnA', t('dashboards.ranking.aumOnA'), (r) => r.aumOnA),
    n('churn', t('dashboards.ranking.churn'), (r) => r.churn, () => ({ measure: 'churn' })),
    money('aumLost', t('dashboards.ranking.aumLost'), (r) => r.aumLost),
    n('planned', t('dashboards.columns.planned'), (r) => r.planned, () => ({ measure: 'plans' })),
    n('done', t('dashboards.columns.done'), (r) => r.done, () => ({ measure: 'plans', status: 'done' })),
    rate('planRate', t('dashboards.columns.rate'), (r) => r.planRate),
    n('created', t('dashboards.columns.created'), (r) => r.created, () => ({ measure: 'opportunities', status: 'created' })),
    n('won', t('dashboards.columns.won'), (r) => r.won, () => ({ measure: 'opportunities', status: 'won' })),
    n('lost', t('dashboards.columns.lost'), (r) => r.lost, () => ({ measure: 'opportunities', status: 'lost' })),
    rate('conversion', t('dashboards.columns.conversion'), (r) => r.conversion),
    n('referrals', t('dashboards.figures.referrals'), (r) => r.referrals, () => ({ measure: 'referrals' })),
    n('referralsConverted', t('dashboards.ranking.referralsConverted'), (r) => r.referralsConverted),
    n('eventsRaised', t('dashboards.ranking.eventsRaised'), (r) => r.eventsRaised, () => ({ measure: 'events' })),
    n('eventsHandled', t('dashboards.ranking.eventsHandled'), (r) => r.eventsHandled, () => ({ measure: 'events', status: 'handled' })),
    rate('eventsRate', t('dashboards.columns.handledRate'), (r) => r.eventsRate),
  ];

  return (
    <div data-testid="branches-ranking">
      <div className="page-header">
        <PageTitle>{t('dashboards.ranking.title')}</PageTitle>
        {data && (
          <Typography.Text type="secondary" className="money">
            {t('dashboards.period.range', { from: data.from, to: data.to })}
          </Typography.Text>
        )}
      </div>
      <Card size="small" variant="borderless" className="section-card">
        <PeriodBar period={data} dates={data?.dates ?? []} onChange={set} branch={false} />
        <PeriodNotes data={data} />
      </Card>
      {ranking.error && (
        <Alert
          type="error"
          showIcon
          title={ranking.error.message}
          style={{ marginBottom: 12 }}
          action={
            <Button size="small" onClick={ranking.reload}>
              {t('app.retry')}
            </Button>
          }
        />
      )}
      {!data ? (
        !ranking.error && <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        <Card
          size="small"
          className="section-card"
          title={
            <Space size={8}>
              <Breadcrumb
                data-testid="ranking-trail"
                items={[
                  { title: parentId ? <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => back(0)}>{t('dashboards.ranking.top')}</Button> : t('dashboards.ranking.top') },
                  ...trail.map((b, i) => ({ title: i === trail.length - 1 ? b.name : <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => back(i + 1)}>{b.name}</Button> })),
                ]}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }} data-testid="ranking-parent">
                {t('dashboards.ranking.under', { name: data.parent.name })}
              </Typography.Text>
            </Space>
          }
          extra={
            <Form layout="inline" component="div">
              <Form.Item label={t('dashboards.ranking.measure')} htmlFor="ranking-measure" style={{ marginBottom: 0 }}>
                <Select<Measure> id="ranking-measure" data-testid="ranking-measure" size="small" style={{ width: 180 }} value={measure} onChange={setMeasure} options={MEASURES.map((m) => ({ value: m, label: measureLabel(m) }))} />
              </Form.Item>
            </Form>
          }
        >
          {chart && <EChart option={chart} testId="ranking-chart" style={{ height: 260 }} />}
          <Table<RankingRow>
            size="small"
            rowKey={(r) => r.branch.id}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="ranking-table"
            dataSource={data.rows}
            columns={columns}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>{t('dashboards.columns.total')}</Table.Summary.Cell>
                {[
                  count(data.total.customers),
                  count(data.total.customersOnA),
                  <Wan key="a" yuan={data.total.aum} />,
                  <Wan key="b" yuan={data.total.aumOnA} />,
                  count(data.total.churn),
                  <Wan key="c" yuan={data.total.aumLost} />,
                  count(data.total.planned),
                  count(data.total.done),
                  percent(data.total.planRate),
                  count(data.total.created),
                  count(data.total.won),
                  count(data.total.lost),
                  percent(data.total.conversion),
                  count(data.total.referrals),
                  count(data.total.referralsConverted),
                  count(data.total.eventsRaised),
                  count(data.total.eventsHandled),
                  percent(data.total.eventsRate),
                ].map((v, i) => (
                  <Table.Summary.Cell index={i + 1} key={i} align="right">
                    <span className="money">{v}</span>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )}
          />
        </Card>
      )}
      <ItemsDrawer choice={drill} onClose={() => setDrill(null)} />
    </div>
  );
}
