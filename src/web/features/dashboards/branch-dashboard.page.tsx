import { Alert, Button, Card, Col, Empty, Row, Skeleton, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../app/echart.js';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { formatWan } from '../customers/money.js';
import { Wan } from '../customers/money.view.js';
import { StaffName } from '../ownership/ownership.parts.js';
import { BranchMigration } from '../tiering/branch-tiers.migration.js';
import { TierMixView } from '../tiering/branch-tiers.mix.js';
import { tieringApi } from '../tiering/tiering.api.js';
import { BandMonthsChart } from './dashboard-bands.js';
import { count, Drill, ItemsDrawer, percent, PeriodBar, PeriodNotes, useDrill, usePeriod } from './dashboard-parts.js';
import { dashboardsApi, type BranchDashboard, type ItemsChoice } from './dashboards.api.js';

// The branch head's dashboard (issue 20 §2) for a period A → B (default: the latest month): the
// headline figures, AUM by band month by month, the tier mix and migration, and per manager the
// plan execution, the opportunity funnel, referrals and events. Every number opens the list behind it.

type Staffed = { staff: { staffId: string; name: string; role: BranchDashboard['plans']['managers'][number]['staff']['role'] }; branch: { id: string; name: string } };
const byNumber = <T,>(pick: (x: T) => number | null) => (a: T, b: T) => (pick(a) ?? -1) - (pick(b) ?? -1);

function Headline({ title, value, detail, onOpen, testId }: { title: string; value: ReactNode; detail?: ReactNode; onOpen?: () => void; testId: string }) {
  return (
    <Card size="small" variant="borderless" className="section-card" style={{ height: '100%' }} data-testid={testId}>
      <Statistic title={title} valueRender={() => (onOpen ? <Drill onOpen={onOpen} testId={`${testId}-open`}><span style={{ fontSize: 24 }}>{value}</span></Drill> : <span style={{ fontSize: 24 }}>{value}</span>)} />
      {detail && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {detail}
        </Typography.Text>
      )}
    </Card>
  );
}

function funnelChart(stages: BranchDashboard['funnel']['stages'], label: (s: string) => string, name: string): ChartOption {
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', axisLabel: { fontSize: 11 } },
    yAxis: { type: 'category', inverse: true, data: stages.map((s) => label(s.stage)), axisLabel: { fontSize: 11 } },
    series: [{ type: 'bar', name, data: stages.map((s) => s.count), itemStyle: { color: '#1d5fa6' }, barMaxWidth: 28, label: { show: true, position: 'right' } }],
  };
}

export function BranchDashboardPage() {
  const { t, i18n } = useTranslation();
  const [choice, set] = usePeriod();
  const [drill, setDrill] = useDrill();
  const dash = useApi(`dashboard-branch/${JSON.stringify(choice)}/${i18n.language}`, (signal) => dashboardsApi.branch(choice, signal));
  const data = dash.data;
  const period = data ? { from: data.from, to: data.to, branchId: choice.branchId } : undefined;
  const open = (c: Omit<ItemsChoice, 'from' | 'to' | 'branchId'>) => period && setDrill({ ...period, ...c });
  const mixQuery = { model: 'aum_band', date: data?.to, branchId: choice.branchId };
  const mix = useApi(`dashboard-mix/${JSON.stringify(mixQuery)}`, (signal) => (data ? tieringApi.tierMix(mixQuery, signal) : Promise.resolve(undefined)));
  const stageLabel = (s: string) => t(`opportunities.stages.${s}` as never) as string;
  const funnelOption = useMemo(() => (data ? funnelChart(data.funnel.stages, stageLabel, t('dashboards.columns.open')) : null), [data, i18n.language]); // eslint-disable-line react-hooks/exhaustive-deps

  const staffColumns = <T extends Staffed>(): TableColumnsType<T> => [
    { key: 'staff', title: t('dashboards.columns.staff'), render: (_, x) => <StaffName staff={x.staff} />, sorter: (a, b) => (a.staff.staffId < b.staff.staffId ? -1 : 1) },
    { key: 'branch', title: t('dashboards.columns.branch'), render: (_, x) => x.branch.name },
  ];
  const num = <T extends Staffed>(key: string, title: string, pick: (x: T) => number, drillTo?: (x: T) => Omit<ItemsChoice, 'from' | 'to' | 'branchId'>): TableColumnsType<T>[number] => ({
    key,
    title,
    align: 'right',
    sorter: byNumber(pick),
    render: (_: unknown, x: T) =>
      drillTo && pick(x) > 0 ? (
        <Drill onOpen={() => open(drillTo(x))} testId={`${key}-${x.staff.staffId}`}>
          {count(pick(x))}
        </Drill>
      ) : (
        <span className="money">{count(pick(x))}</span>
      ),
  });
  const rate = <T extends Staffed>(key: string, title: string, pick: (x: T) => number | null): TableColumnsType<T>[number] => ({
    key,
    title,
    align: 'right',
    sorter: byNumber(pick),
    defaultSortOrder: undefined,
    render: (_: unknown, x: T) => <span className="money">{percent(pick(x))}</span>,
  });
  type Manager = BranchDashboard['plans']['managers'][number];
  type Owner = BranchDashboard['funnel']['owners'][number];
  type Referrer = BranchDashboard['referrals']['referrers'][number];
  type EventStaff = BranchDashboard['events']['staff'][number];

  return (
    <div data-testid="branch-dashboard">
      <div className="page-header">
        <PageTitle>{t('dashboards.title')}</PageTitle>
        {data && (
          <Typography.Text type="secondary" className="money" data-testid="dashboard-period">
            {data.branch ? `${data.branch.name} · ` : ''}
            {t('dashboards.period.range', { from: data.from, to: data.to })}
          </Typography.Text>
        )}
      </div>
      <Card size="small" variant="borderless" className="section-card">
        <PeriodBar period={data} dates={data?.dates ?? []} onChange={set} />
        <PeriodNotes data={data} />
      </Card>
      {dash.error && (
        <Alert
          type="error"
          showIcon
          title={dash.error.message}
          style={{ marginBottom: 12 }}
          action={
            <Button size="small" onClick={dash.reload}>
              {t('app.retry')}
            </Button>
          }
        />
      )}
      {!data ? (
        !dash.error && <Skeleton active paragraph={{ rows: 10 }} />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={12} md={8} xl={4}>
              <Headline testId="headline-customers" title={t('dashboards.figures.customers')} value={count(data.customers.onB)} detail={t('dashboards.figures.vsA', { value: count(data.customers.onA) })} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Headline testId="headline-aum" title={t('dashboards.figures.aum')} value={formatWan(data.customers.aumOnB)} detail={t('dashboards.figures.vsA', { value: formatWan(data.customers.aumOnA) })} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Headline
                testId="headline-churn"
                title={t('dashboards.figures.churn')}
                value={count(data.churn.customers)}
                onOpen={() => open({ measure: 'churn' })}
                detail={
                  <>
                    {t('dashboards.figures.aumLost')} {formatWan(data.churn.aumLost)}
                    <br />
                    {t('dashboards.figures.churnDetail', { left: data.churn.leftFeed, zeroed: data.churn.zeroed })}
                  </>
                }
              />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Headline testId="headline-plans" title={t('dashboards.figures.planRate')} value={percent(data.plans.rate)} onOpen={() => open({ measure: 'plans' })} detail={t('dashboards.figures.planDetail', { done: count(data.plans.done), planned: count(data.plans.planned) })} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Headline
                testId="headline-conversion"
                title={t('dashboards.figures.conversion')}
                value={percent(data.funnel.conversion)}
                onOpen={() => open({ measure: 'opportunities', status: 'won' })}
                detail={t('dashboards.figures.conversionDetail', { won: count(data.funnel.won), closed: count(data.funnel.won + data.funnel.lost) })}
              />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Headline testId="headline-events" title={t('dashboards.figures.events')} value={percent(data.events.rate)} onOpen={() => open({ measure: 'events' })} detail={t('dashboards.figures.eventsDetail', { handled: count(data.events.handled), raised: count(data.events.raised) })} />
            </Col>
          </Row>

          <Card size="small" className="section-card" title={t('dashboards.sections.bands')}>
            <BandMonthsChart to={data.to} branchId={choice.branchId} />
          </Card>

          <Card size="small" className="section-card" title={t('dashboards.sections.mix')}>
            {mix.data ? <TierMixView mix={mix.data} /> : mix.error ? <Alert type="error" showIcon title={mix.error.message} /> : <Skeleton active />}
            {/* the matrix at the page's full width, as on the branch tiers page: it needs no scrolling there */}
            <div style={{ marginTop: 12 }}>
              <BranchMigration model="aum_band" from={data.from} to={data.to} branchId={choice.branchId} />
            </div>
          </Card>

          {!data.staffListed && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('dashboards.sections.wide')} data-testid="dashboard-wide" />}

          <Card size="small" className="section-card" title={t('dashboards.sections.plans')}>
            <Table<Manager>
              size="small"
              rowKey={(x) => x.staff.staffId}
              pagination={false}
              data-testid="plans-table"
              dataSource={data.plans.managers}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
              columns={[
                ...staffColumns<Manager>(),
                num<Manager>('planned', t('dashboards.columns.planned'), (x) => x.planned, (x) => ({ measure: 'plans', staffId: x.staff.staffId })),
                num<Manager>('done', t('dashboards.columns.done'), (x) => x.done, (x) => ({ measure: 'plans', staffId: x.staff.staffId, status: 'done' })),
                rate<Manager>('rate', t('dashboards.columns.rate'), (x) => x.rate),
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={2}>
                    {t('dashboards.columns.total')}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    <span className="money">{count(data.plans.planned)}</span>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={3} align="right">
                    <span className="money">{count(data.plans.done)}</span>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={4} align="right">
                    <span className="money">{percent(data.plans.rate)}</span>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>

          <Card size="small" className="section-card" title={t('dashboards.sections.funnel')}>
            <Row gutter={16}>
              <Col xs={24} xl={10}>
                {funnelOption && <EChart option={funnelOption} testId="funnel-chart" style={{ height: 220 }} />}
                <Row gutter={8}>
                  {(['created', 'won', 'lost'] as const).map((k) => (
                    <Col span={6} key={k}>
                      <Statistic title={t(`dashboards.columns.${k}`)} valueRender={() => <Drill onOpen={() => open({ measure: 'opportunities', status: k })} testId={`funnel-${k}`}>{count(data.funnel[k])}</Drill>} />
                    </Col>
                  ))}
                  <Col span={6}>
                    <Statistic title={t('dashboards.columns.conversion')} value={percent(data.funnel.conversion)} />
                  </Col>
                </Row>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('dashboards.columns.wonAmount')} <Wan yuan={data.funnel.wonAmount} />
                </Typography.Text>
              </Col>
              <Col xs={24} xl={14}>
                <Table<Owner>
                  size="small"
                  rowKey={(x) => x.staff.staffId}
                  pagination={false}
                  data-testid="funnel-table"
                  dataSource={data.funnel.owners}
                  columns={[
                    ...staffColumns<Owner>(),
                    num<Owner>('created', t('dashboards.columns.created'), (x) => x.created, (x) => ({ measure: 'opportunities', status: 'created', staffId: x.staff.staffId })),
                    num<Owner>('won', t('dashboards.columns.won'), (x) => x.won, (x) => ({ measure: 'opportunities', status: 'won', staffId: x.staff.staffId })),
                    num<Owner>('lost', t('dashboards.columns.lost'), (x) => x.lost, (x) => ({ measure: 'opportunities', status: 'lost', staffId: x.staff.staffId })),
                    num<Owner>('open', t('dashboards.columns.open'), (x) => x.open, (x) => ({ measure: 'opportunities', status: 'open', staffId: x.staff.staffId })),
                    rate<Owner>('conversion', t('dashboards.columns.conversion'), (x) => x.conversion),
                  ]}
                />
              </Col>
            </Row>
          </Card>

          <Card size="small" className="section-card" title={t('dashboards.sections.referrals')}>
            <Table<Referrer>
              size="small"
              rowKey={(x) => `${x.staff.staffId}-${x.branch.id}`}
              pagination={false}
              data-testid="referrals-table"
              dataSource={data.referrals.referrers}
              columns={[
                ...staffColumns<Referrer>(),
                num<Referrer>('sent', t('dashboards.columns.sent'), (x) => x.sent, (x) => ({ measure: 'referrals', staffId: x.staff.staffId })),
                num<Referrer>('pending', t('dashboards.columns.pending'), (x) => x.pending, (x) => ({ measure: 'referrals', status: 'pending', staffId: x.staff.staffId })),
                num<Referrer>('signed', t('dashboards.columns.signed'), (x) => x.signed, (x) => ({ measure: 'referrals', status: 'signed', staffId: x.staff.staffId })),
                num<Referrer>('productSold', t('dashboards.columns.productSold'), (x) => x.productSold, (x) => ({ measure: 'referrals', status: 'product_sold', staffId: x.staff.staffId })),
                num<Referrer>('declined', t('dashboards.columns.declined'), (x) => x.declined, (x) => ({ measure: 'referrals', status: 'declined', staffId: x.staff.staffId })),
                rate<Referrer>('conversion', t('dashboards.columns.conversion'), (x) => x.conversion),
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={2}>
                    {t('dashboards.columns.total')}
                  </Table.Summary.Cell>
                  {([['sent', undefined], ['pending', 'pending'], ['signed', 'signed'], ['productSold', 'product_sold'], ['declined', 'declined']] as const).map(([k, status], i) => (
                    <Table.Summary.Cell index={i + 2} align="right" key={k}>
                      <Drill onOpen={() => open({ measure: 'referrals', status })} testId={`referrals-total-${k}`}>
                        {count(data.referrals[k])}
                      </Drill>
                    </Table.Summary.Cell>
                  ))}
                  <Table.Summary.Cell index={7} align="right">
                    <span className="money">{percent(data.referrals.conversion)}</span>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>

          <Card size="small" className="section-card" title={t('dashboards.sections.events')}>
            <Row gutter={[12, 12]} style={{ marginBottom: 8 }}>
              {(['risk', 'opportunity'] as const).map((k) => (
                <Col xs={24} md={12} key={k}>
                  <Typography.Text>
                    {t(`worklist.kinds.${k}`)} · {t('dashboards.figures.eventsDetail', { handled: count(data.events.kinds[k].handled), raised: count(data.events.kinds[k].raised) })} · {percent(data.events.kinds[k].rate)}
                  </Typography.Text>
                </Col>
              ))}
            </Row>
            <Table<EventStaff>
              size="small"
              rowKey={(x) => x.staff.staffId}
              pagination={false}
              data-testid="events-table"
              dataSource={data.events.staff}
              columns={[
                ...staffColumns<EventStaff>(),
                num<EventStaff>('raised', t('dashboards.columns.raised'), (x) => x.raised, (x) => ({ measure: 'events', staffId: x.staff.staffId })),
                num<EventStaff>('handled', t('dashboards.columns.handled'), (x) => x.handled, (x) => ({ measure: 'events', status: 'handled', staffId: x.staff.staffId })),
                num<EventStaff>('open', t('dashboards.columns.open'), (x) => x.open, (x) => ({ measure: 'events', status: 'open', staffId: x.staff.staffId })),
                num<EventStaff>('expired', t('dashboards.columns.expired'), (x) => x.expired, (x) => ({ measure: 'events', status: 'expired', staffId: x.staff.staffId })),
                rate<EventStaff>('rate', t('dashboards.columns.handledRate'), (x) => x.rate),
              ]}
            />
          </Card>
        </>
      )}
      <ItemsDrawer choice={drill} onClose={() => setDrill(null)} />
    </div>
  );
}
