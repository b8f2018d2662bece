import { Alert, Card, Col, Empty, Row, Segmented, Spin, Statistic, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../app/echart.js';
import { useApi } from '../../app/use-api.js';
import { customersApi, type AumHistory, type Customer360Data } from './customers.api.js';
import { formatWan, wanNumber } from './money.js';
import { Wan } from './money.view.js';

const KINDS = ['current', 'time_deposit', 'wealth', 'fund', 'insurance'] as const;
const KIND_FIELD = { current: 'current', time_deposit: 'timeDeposit', wealth: 'wealth', fund: 'fund', insurance: 'insurance' } as const;
const RANGES = [30, 90, 180, 365] as const;
type Range = (typeof RANGES)[number];

/** AUM today as a Statistic, and what it is made of; loans apart, as a liability. */
export function AumSummary({ aum }: { aum: Customer360Data['aum'] }) {
  const { t } = useTranslation();
  if (!aum) {
    return (
      <Card size="small" title={t('customer360.aumToday')} className="section-card">
        <Empty description={t('customer360.noAum')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      </Card>
    );
  }
  const wan = formatWan(aum.total);
  return (
    <Card size="small" title={t('customer360.aumToday')} className="section-card" extra={<Typography.Text type="secondary">{t('customer360.aumAsOf', { date: aum.asOf })}</Typography.Text>}>
      <Statistic value={wan.slice(0, -1)} formatter={() => wan.slice(0, -1)} suffix="万" valueStyle={{ color: '#1d5fa6', fontWeight: 600 }} data-testid="aum-total" />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('customer360.byKind')}
      </Typography.Text>
      <table className="balance-list" data-testid="aum-by-kind">
        <tbody>
          {KINDS.map((kind) => (
            <tr key={kind}>
              <td>{t(`customer360.kind.${kind}`)}</td>
              <td>
                <Wan yuan={aum.byKind[KIND_FIELD[kind]]} />
              </td>
            </tr>
          ))}
          <tr className="balance-list__liability">
            <td>{t('customer360.loansLiability')}</td>
            <td>
              <Wan yuan={aum.byKind.loans} />
            </td>
          </tr>
        </tbody>
      </table>
    </Card>
  );
}

function chartOption(history: AumHistory, title: string): ChartOption {
  const points = history.points;
  return {
    title: { text: title, left: 0, top: 0, textStyle: { fontSize: 14, fontWeight: 600 } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = Array.isArray(params) ? (params[0] as { dataIndex?: number } | undefined) : undefined;
        const point = first?.dataIndex === undefined ? undefined : points[first.dataIndex];
        return point ? `${point.date}<br/>AUM <b>${formatWan(point.aum)}</b>` : '';
      },
    },
    xAxis: { type: 'category', data: points.map((p) => p.date), boundaryGap: false, axisLabel: { fontSize: 11 } },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => `${v.toLocaleString('en-US')}万`, fontSize: 11 } },
    series: [
      {
        type: 'line',
        name: 'AUM',
        data: points.map((p) => wanNumber(p.aum)),
        showSymbol: points.length <= 31,
        smooth: false,
        lineStyle: { width: 2, color: '#1d5fa6' },
        itemStyle: { color: '#1d5fa6' },
        areaStyle: { color: 'rgba(29, 95, 166, 0.08)' },
      },
    ],
  };
}

/** The customer's AUM over the last 30/90/180/365 days. */
export function AumHistoryChart({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const [days, setDays] = useState<Range>(90);
  const history = useApi(`${customerId}/aum-history/${days}/${i18n.language}`, (signal) => customersApi.aumHistory(customerId, days, signal));
  const title = t('customer360.aumHistory');
  const option = useMemo(() => (history.data ? chartOption(history.data, title) : null), [history.data, title]);
  return (
    <Card size="small" className="section-card" data-testid="aum-history">
      <Row justify="end" style={{ position: 'absolute', right: 12, top: 10, zIndex: 1 }}>
        <Col>
          <Segmented<Range>
            size="small"
            data-testid="aum-history-days"
            value={days}
            onChange={setDays}
            options={RANGES.map((n) => ({ value: n, label: t('customer360.days', { n }) }))}
          />
        </Col>
      </Row>
      {history.error && <Alert type="error" showIcon title={history.error.message} />}
      <Spin spinning={history.loading}>
        {option && history.data && history.data.points.length > 0 ? (
          <EChart option={option} testId="aum-chart" />
        ) : (
          <div style={{ height: 280, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
            {!history.loading && !history.error && <Empty description={t('customer360.noHistory')} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          </div>
        )}
      </Spin>
    </Card>
  );
}
