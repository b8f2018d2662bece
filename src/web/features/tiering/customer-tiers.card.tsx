import { ArrowDownOutlined, ArrowUpOutlined, PlusOutlined, SwapOutlined } from '@ant-design/icons';
import { Alert, Card, Empty, Skeleton, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { tierColor, useLocalText } from './tier-labels.js';
import { tieringApi, type CustomerTiers } from './tiering.api.js';

type ModelTier = CustomerTiers['models'][number];
type CustomerTag = CustomerTiers['tags'][number];
type Change = CustomerTiers['history'][number];
type Direction = Change['direction'];

// Upgrades green, downgrades red: a falling tier is what a manager must act on.
const DIRECTION: Record<Direction, { icon: ReactNode; color: string }> = {
  up: { icon: <ArrowUpOutlined />, color: '#237804' },
  down: { icon: <ArrowDownOutlined />, color: '#cf1322' },
  first: { icon: <PlusOutlined />, color: '#1d5fa6' },
  changed: { icon: <SwapOutlined />, color: '#ad4e00' },
};

function ModelTierItem({ item }: { item: ModelTier }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const because = text(item.because);
  return (
    <div className="tier-item" style={{ minWidth: 170 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {text(item.label)}
      </Typography.Text>
      <div>
        <Tag color={tierColor(item.tier)} data-testid={`tier-${item.model}`} data-tier={item.tier} style={{ fontSize: 13, padding: '1px 8px' }}>
          {text(item.tierLabel)}
        </Tag>
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} data-testid={`tier-${item.model}-because`} title={t('customerTiers.because', { text: because })}>
        {because}
      </Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('customerTiers.since', { date: item.since })} · {t('customerTiers.policyVersion', { version: item.policyVersion })}
      </Typography.Text>
    </div>
  );
}

function TagGroups({ tags }: { tags: CustomerTag[] }) {
  const { t } = useTranslation();
  const text = useLocalText();
  if (tags.length === 0) return <Typography.Text type="secondary">{t('customerTiers.noTags')}</Typography.Text>;
  return (
    <Space size={[16, 6]} wrap data-testid="customer-tier-tags">
      {tags.map((tag) => (
        <span key={tag.group}>
          <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineEnd: 4 }}>
            {text(tag.groupLabel)}
          </Typography.Text>
          <Tooltip title={t('customerTiers.since', { date: tag.since })}>
            <Tag color="blue" variant="outlined" data-testid={`tag-${tag.group}`} data-tag={tag.tag} style={{ marginInlineEnd: 0 }}>
              {text(tag.tagLabel)}
            </Tag>
          </Tooltip>
        </span>
      ))}
    </Space>
  );
}

function HistoryTable({ history }: { history: Change[] }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const columns: TableColumnsType<Change> = [
    { key: 'date', dataIndex: 'date', title: t('customerTiers.col.date'), width: 104, render: (d: string) => <span className="money">{d}</span> },
    { key: 'model', title: t('customerTiers.col.model'), width: 140, render: (_: unknown, c) => text(c.label) },
    {
      key: 'change',
      title: t('customerTiers.col.change'),
      render: (_: unknown, c) => {
        const d = DIRECTION[c.direction];
        return (
          <span data-direction={c.direction}>
            <span style={{ color: d.color, marginInlineEnd: 6 }} title={t(`customerTiers.direction.${c.direction}`)}>
              {d.icon}
            </span>
            {c.fromLabel && (
              <>
                <Tag color={tierColor(c.from ?? '')}>{text(c.fromLabel)}</Tag>→{' '}
              </>
            )}
            <Tag color={tierColor(c.to)}>{text(c.toLabel)}</Tag>
            <Typography.Text style={{ color: d.color, fontSize: 12 }}>{t(`customerTiers.direction.${c.direction}`)}</Typography.Text>
          </span>
        );
      },
    },
    { key: 'policy', dataIndex: 'policyVersion', title: t('customerTiers.col.policy'), width: 84, render: (v: number) => <span className="money">v{v}</span> },
  ];
  return (
    <Table<Change>
      size="small"
      rowKey={(c) => `${c.model}/${c.date}/${c.to}`}
      columns={columns}
      dataSource={history}
      pagination={history.length > 5 ? { pageSize: 5, size: 'small', hideOnSinglePage: true } : false}
      locale={{ emptyText: t('customerTiers.noHistory') }}
      data-testid="tier-history"
      scroll={{ x: 560 }}
    />
  );
}

/** The customer's tier under each model, why, since when; tags by group; the changes, newest first. */
export function CustomerTiersCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const tiers = useApi(`customer/${customerId}/tiers`, (signal) => tieringApi.customerTiers(customerId, signal));
  const data = tiers.data;
  const title = t('customerTiers.title');
  const extra = data?.asOf ? <Typography.Text type="secondary">{t('customerTiers.asOf', { date: data.asOf })}</Typography.Text> : null;
  let body: ReactNode;
  if (tiers.error) body = <Alert type="error" showIcon title={tiers.error.message} />;
  else if (!data) body = <Skeleton active paragraph={{ rows: 3 }} />;
  else if (data.models.length === 0) body = <Empty description={t('customerTiers.notYet')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  else
    body = (
      <>
        <Space size={[24, 12]} wrap align="start" style={{ marginBottom: 12 }}>
          {data.models.map((m) => (
            <ModelTierItem key={m.model} item={m} />
          ))}
        </Space>
        <div style={{ marginBottom: 12 }}>
          <Typography.Text strong style={{ marginInlineEnd: 12 }}>
            {t('customerTiers.tags')}
          </Typography.Text>
          <TagGroups tags={data.tags} />
        </div>
        <Typography.Text strong>{t('customerTiers.history')}</Typography.Text>
        <HistoryTable history={data.history} />
      </>
    );
  return (
    <Card size="small" title={title} extra={extra} className="section-card" data-testid="customer-tiers">
      {body}
    </Card>
  );
}
