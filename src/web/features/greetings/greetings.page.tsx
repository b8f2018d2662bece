import { App, Button, Card, Empty, Radio, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { greetingsApi, type Greeting } from './greetings.api.js';

// Greetings (issue 21 §4): the birthday and festival greetings the daily batch prepared for the
// head's branches, the next first; one tap approves one.

type Filter = Greeting['status'] | 'all';
const STATUS_HEX: Record<Greeting['status'], string> = { draft: STATE_HEX.orange, approved: STATE_HEX.green, sending: STATE_HEX.blue, done: STATE_HEX.grey };

export function GreetingsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<Filter>('draft');
  const [version, setVersion] = useState(0);
  const list = useApi(`greetings/${filter}/${version}/${i18n.language}`, (signal) => greetingsApi.list(filter, signal));

  const approve = async (g: Greeting) => {
    try {
      await greetingsApi.approve(g.campaignId);
      message.success(t('greetings.approved'));
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    }
  };

  const columns: TableColumnsType<Greeting> = [
    { key: 'date', title: t('greetings.columns.date'), width: 110, render: (_, g) => g.occasionDate },
    {
      key: 'occasion',
      title: t('greetings.columns.occasion'),
      width: 130,
      render: (_, g) => (g.festival ? t(`greetings.festivals.${g.festival}`, { defaultValue: g.festival }) : t('greetings.occasions.birthday')),
    },
    { key: 'branch', title: t('greetings.columns.branch'), render: (_, g) => g.branch.name },
    { key: 'owner', title: t('greetings.columns.owner'), width: 100, render: (_, g) => g.owner?.name ?? '—' },
    { key: 'recipients', title: t('greetings.columns.recipients'), width: 80, align: 'right', render: (_, g) => g.recipients },
    { key: 'text', title: t('greetings.columns.text'), render: (_, g) => <Typography.Text style={{ fontSize: 12 }}>{g.text}</Typography.Text> },
    {
      key: 'status',
      title: t('greetings.columns.status'),
      width: 110,
      render: (_, g) => (
        <Space size={4} wrap>
          <Tag color={STATUS_HEX[g.status]} data-testid={`greeting-status-${g.campaignId}`}>
            {t(`greetings.statuses.${g.status}`)}
          </Tag>
          {g.passed && g.status === 'draft' && <Tag color={STATE_HEX.grey}>{t('greetings.passed')}</Tag>}
        </Space>
      ),
    },
    {
      key: 'actions',
      title: t('greetings.columns.actions'),
      width: 90,
      render: (_, g) =>
        g.approvable ? (
          <Button size="small" type="primary" onClick={() => void approve(g)} data-testid={`greeting-approve-${g.campaignId}`}>
            {t('greetings.approve')}
          </Button>
        ) : null,
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="greetings-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <PageTitle>{t('greetings.title')}</PageTitle>
        <Typography.Text type="secondary">{t('greetings.hint')}</Typography.Text>
      </Space>
      <Radio.Group value={filter} onChange={(e) => setFilter(e.target.value as Filter)} optionType="button" style={{ marginBottom: 12 }} data-testid="greetings-filter">
        <Radio value="draft">{t('greetings.filter.draft')}</Radio>
        <Radio value="approved">{t('greetings.filter.approved')}</Radio>
        <Radio value="all">{t('greetings.filter.all')}</Radio>
      </Radio.Group>
      <Table<Greeting>
        size="small"
        rowKey="campaignId"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.loading}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('greetings.empty')} /> }}
        data-testid="greetings-list"
      />
    </Card>
  );
}
