import { Alert, Empty, Segmented, Skeleton, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../app/echart.js';
import { useApi } from '../../app/use-api.js';
import { formatWan, wanNumber } from '../customers/money.js';
import { useLocalText } from '../tiering/tier-labels.js';
import { dashboardsApi, type BandMonths } from './dashboards.api.js';

// AUM by band month by month (ECharts stacked bars): for each month's last business date the batch
// counted, the AUM (or the customers) of each aum_band tier, lowest band at the bottom.

const BAND_COLORS: Record<string, string> = { below: '#c0c4cc', band_1: '#91cc75', band_2: '#73c0de', band_3: '#5470c6', band_4: '#3ba272', band_5: '#9a60b4' };

function option(data: BandMonths, show: 'aum' | 'customers', label: (b: BandMonths['bands'][number]) => string, unit: string): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, data: data.bands.map(label) },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = Array.isArray(params) ? (params[0] as { dataIndex?: number } | undefined) : undefined;
        const m = first?.dataIndex === undefined ? undefined : data.months[first.dataIndex];
        if (!m) return '';
        const lines = [...m.bands].reverse().map((b) => {
          const band = data.bands.find((x) => x.band === b.band);
          return `${band ? label(band) : b.band}: <b>${b.customers.toLocaleString('en-US')}</b> · <b>${formatWan(b.aum)}</b>`;
        });
        return [`${m.month} (${m.date})`, ...lines].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: data.months.map((m) => m.month), axisLabel: { fontSize: 11 } },
    yAxis: { type: 'value', name: unit, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 11, formatter: (v: number) => v.toLocaleString('en-US') } },
    series: data.bands.map((b) => ({
      type: 'bar',
      stack: 'bands',
      name: label(b),
      itemStyle: { color: BAND_COLORS[b.band] ?? '#5470c6' },
      barMaxWidth: 40,
      data: data.months.map((m) => {
        const x = m.bands.find((y) => y.band === b.band);
        return show === 'aum' ? wanNumber(x?.aum ?? '0') : (x?.customers ?? 0);
      }),
    })),
  };
}

export function BandMonthsChart({ to, branchId }: { to: string | undefined; branchId: string | undefined }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const [show, setShow] = useState<'aum' | 'customers'>('aum');
  const query = { to, branchId, months: 12 };
  const bands = useApi(`dashboard-bands/${JSON.stringify(query)}`, (signal) => dashboardsApi.bands(query, signal));
  const data = bands.data;
  const unit = show === 'aum' ? t('dashboards.sections.showAum') : t('dashboards.sections.showCustomers');
  const chart = useMemo(() => (data ? option(data, show, (b) => text(b.label) || b.band, unit) : null), [data, show, text, unit]);
  if (bands.error) return <Alert type="error" showIcon title={bands.error.message} />;
  if (!data || !chart) return <Skeleton active paragraph={{ rows: 6 }} />;
  return (
    <>
      <Space style={{ marginBottom: 8, justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('dashboards.sections.bandsHint')}
        </Typography.Text>
        <Segmented<'aum' | 'customers'>
          size="small"
          data-testid="bands-show"
          value={show}
          onChange={setShow}
          options={[
            { value: 'aum', label: t('dashboards.sections.showAum') },
            { value: 'customers', label: t('dashboards.sections.showCustomers') },
          ]}
        />
      </Space>
      {data.months.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : <EChart option={chart} testId="bands-chart" style={{ height: 320 }} />}
    </>
  );
}
