import { Alert, Skeleton, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { MigrationMatrix, movedCount } from './migration-matrix.js';
import { useLocalText } from './tier-labels.js';
import { tieringApi } from './tiering.api.js';

/** How many customers went from each tier to each other between two dates, within the branch. */
export function BranchMigration({ model, from, to, branchId }: { model: string; from: string; to: string; branchId: string | undefined }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const query = { model, from, to, branchId };
  const migration = useApi(`migration?${JSON.stringify(query)}`, (signal) => tieringApi.migration(query, signal));
  const data = migration.data;
  if (migration.error) return <Alert type="error" showIcon title={migration.error.message} />;
  if (!data) return <Skeleton active paragraph={{ rows: 5 }} />;
  const moved = movedCount(data.cells);
  return (
    <Spin spinning={migration.loading}>
      <Typography.Paragraph type={moved > 0 ? 'warning' : 'secondary'} data-testid="migration-moved" data-moved={moved} style={{ marginBottom: 8 }}>
        <span className="money">{data.from} → {data.to}</span> · {t('matrix.moved', { n: moved.toLocaleString('en-US') })}
      </Typography.Paragraph>
      <MigrationMatrix tiers={data.tiers.map((x) => ({ tier: x.tier, label: text(x.label) || x.tier }))} cells={data.cells} testId="migration-matrix" />
    </Spin>
  );
}
