import { Alert, Button, Card, Empty, Form, Select, Skeleton, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useApi } from '../../app/use-api.js';
import { BranchTreeSelect } from '../customers/customer-list.filters.js';
import { formatWan } from '../customers/money.js';
import { BranchMigration } from './branch-tiers.migration.js';
import { TierMixView } from './branch-tiers.mix.js';
import { sumYuan } from './tier-figures.js';
import { useLocalText } from './tier-labels.js';
import { tieringApi } from './tiering.api.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';

const DEFAULT_MODEL = 'aum_band';

// The page's choices live in the URL (model, date, branchId, from, to), so a view can be shared.
function useChoice(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

/** The branch's tier mix on a date (chart and figures) and the migration between two dates. */
export function BranchTiersPage() {
  const { t } = useTranslation();
  const text = useLocalText();
  const [params, setParams] = useSearchParams();
  const model = useChoice(params, 'model') ?? DEFAULT_MODEL;
  const date = useChoice(params, 'date');
  const branchId = useChoice(params, 'branchId');
  const query = { model, date, branchId };
  const mix = useApi(`tier-mix?${JSON.stringify(query)}`, (signal) => tieringApi.tierMix(query, signal));

  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };

  const data = mix.data;
  const dates = data?.dates ?? [];
  // default: from the oldest evaluated date to the newest
  const from = useChoice(params, 'from') ?? dates[dates.length - 1];
  const to = useChoice(params, 'to') ?? dates[0];
  const dateOptions = dates.map((d) => ({ value: d, label: d }));
  const totalCustomers = data?.tiers.reduce((n, x) => n + x.customers, 0) ?? 0;
  const totalAum = data ? sumYuan(data.tiers.map((x) => x.aum)) : '0';

  return (
    <div data-testid="branch-page">
      <div className="page-header">
        <PageTitle>{t('branchTiers.title')}</PageTitle>
        {data && (
          <Typography.Text type="secondary" data-testid="tier-mix-total">
            {t('branchTiers.total', { n: totalCustomers.toLocaleString('en-US'), aum: formatWan(totalAum) })}
          </Typography.Text>
        )}
      </div>
      <Card size="small" variant="borderless" className="section-card">
        <Form layout="inline" className="filter-bar" component="div">
          <Form.Item label={t('branchTiers.model')} htmlFor="branch-model">
            <Select<string>
              data-testid="model-picker"
              id="branch-model"
              style={{ width: 180 }}
              value={model}
              loading={mix.loading && !data}
              // a different model has its own dates: start again from its latest
              onChange={(m) => set({ model: m === DEFAULT_MODEL ? undefined : m, date: undefined, from: undefined, to: undefined })}
              options={(data?.models ?? [{ model, label: { zh: model, en: model } }]).map((m) => ({ value: m.model, label: text(m.label) || m.model }))}
              popupMatchSelectWidth={false}
            />
          </Form.Item>
          <Form.Item label={t('branchTiers.date')} htmlFor="branch-date">
            <Select<string>
              data-testid="mix-date"
              id="branch-date"
              style={{ width: 140 }}
              value={data?.date ?? date}
              onChange={(d) => set({ date: d === dates[0] ? undefined : d })}
              options={dateOptions}
            />
          </Form.Item>
          <Form.Item label={t('branchTiers.branch')} htmlFor="branch-branch">
            <BranchTreeSelect id="branch-branch" testId="branch-tiers-branch" value={branchId} placeholder={t('branchTiers.branchPlaceholder')} onChange={(b) => set({ branchId: b })} />
          </Form.Item>
        </Form>
        {mix.error && (
          <Alert
            type="error"
            showIcon
            title={mix.error.message}
            style={{ marginBottom: 12 }}
            action={
              <Button size="small" onClick={mix.reload}>
                {t('app.retry')}
              </Button>
            }
          />
        )}
        <SectionTitle>
          {t('branchTiers.mix')}
          {data && (
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400, marginInlineStart: 8 }}>
              {text(data.label)} {data.date ?? ''}
            </Typography.Text>
          )}
        </SectionTitle>
        {!data ? (
          !mix.error && <Skeleton active paragraph={{ rows: 6 }} />
        ) : data.tiers.length === 0 || totalCustomers === 0 ? (
          <Empty description={t('branchTiers.noData')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <TierMixView mix={data} />
        )}
      </Card>
      <Card
        size="small"
        className="section-card"
        title={t('branchTiers.migration')}
        extra={
          <Space>
            <span>{t('branchTiers.from')}</span>
            <Select<string> data-testid="migration-from" aria-label={`${t('branchTiers.migration')} ${t('branchTiers.from')}`} size="small" style={{ width: 130 }} value={from} options={dateOptions} onChange={(d) => set({ from: d })} />
            <span>{t('branchTiers.to')}</span>
            <Select<string> data-testid="migration-to" aria-label={`${t('branchTiers.migration')} ${t('branchTiers.to')}`} size="small" style={{ width: 130 }} value={to} options={dateOptions} onChange={(d) => set({ to: d })} />
          </Space>
        }
      >
        {from && to ? (
          <BranchMigration model={model} from={from} to={to} branchId={branchId} />
        ) : (
          !mix.loading && <Empty description={t('branchTiers.noData')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        )}
      </Card>
    </div>
  );
}
