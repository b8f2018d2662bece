import { Col, Row, Table, type TableColumnsType } from 'antd';
import { useMemo, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../app/echart.js';
import { formatWan, wanNumber } from '../customers/money.js';
import { Wan } from '../customers/money.view.js';
import { useLocalText } from './tier-labels.js';
import type { TierMix } from './tiering.api.js';

interface MixRow {
  tier: string;
  label: string;
  customers: number;
  aum: string;
}

function chartOption(rows: readonly MixRow[], customersName: string, aumName: string): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, data: [customersName, aumName] },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = Array.isArray(params) ? (params[0] as { dataIndex?: number } | undefined) : undefined;
        const row = first?.dataIndex === undefined ? undefined : rows[first.dataIndex];
        return row ? `${row.label}<br/>${customersName} <b>${row.customers.toLocaleString('en-US')}</b><br/>${aumName} <b>${formatWan(row.aum)}</b>` : '';
      },
    },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { fontSize: 11, interval: 0 } },
    yAxis: [
      { type: 'value', name: customersName, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 11 } },
      { type: 'value', name: aumName, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 11, formatter: (v: number) => v.toLocaleString('en-US') }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: customersName, data: rows.map((r) => r.customers), itemStyle: { color: '#1d5fa6' }, barMaxWidth: 36 },
      { type: 'bar', name: aumName, yAxisIndex: 1, data: rows.map((r) => wanNumber(r.aum)), itemStyle: { color: '#e6a23c' }, barMaxWidth: 36 },
    ],
  };
}

/** Customers and AUM per tier: a bar chart (customers on the left axis, AUM in 万 on the right) and the figures. */
export function TierMixView({ mix }: { mix: TierMix }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const rows = useMemo<MixRow[]>(() => mix.tiers.map((x) => ({ tier: x.tier, label: text(x.label) || x.tier, customers: x.customers, aum: x.aum })), [mix.tiers, text]);
  const customersName = t('branchTiers.customers');
  const aumName = t('branchTiers.aum');
  const option = useMemo(() => chartOption(rows, customersName, aumName), [rows, customersName, aumName]);
  const total = rows.reduce((n, r) => n + r.customers, 0);
  const columns: TableColumnsType<MixRow> = [
    { key: 'tier', dataIndex: 'label', title: t('policies.tier') },
    { key: 'customers', dataIndex: 'customers', title: customersName, align: 'right', render: (n: number) => <span className="money">{n.toLocaleString('en-US')}</span> },
    { key: 'share', title: t('policies.share'), align: 'right', render: (_: unknown, r) => <span className="money">{total > 0 ? `${((r.customers / total) * 100).toFixed(1)}%` : '—'}</span> },
    { key: 'aum', dataIndex: 'aum', title: aumName, align: 'right', render: (aum: string) => <Wan yuan={aum} /> },
  ];
  return (
    <Row gutter={16}>
      <Col xs={24} xl={14}>
        <EChart option={option} testId="tier-mix-chart" style={{ height: 300 }} />
      </Col>
      <Col xs={24} xl={10}>
        <Table<MixRow>
          size="small"
          rowKey="tier"
          columns={columns}
          dataSource={rows}
          pagination={false}
          data-testid="tier-mix-table"
          onRow={(r) => ({ 'data-tier': r.tier }) as HTMLAttributes<HTMLElement>}
        />
      </Col>
    </Row>
  );
}
