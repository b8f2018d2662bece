import { MessageOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, Empty, Row, Segmented, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../app/page-title.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { formatWan } from '../customers/money.js';
import { ExportButton, MyExportsButton } from '../exports/export-button.js';
import { opportunitiesApi, STAGES, type Board, type ListQuery, type Opportunity, type OpportunityStage } from './opportunities.api.js';
import { Amount, NewOpportunityButton, OpportunityDrawer, StageMover, StageTag, StatusTags, SubjectCell } from './opportunity-parts.js';

// "My opportunities" (我的商机): a board with a column per stage — each card moved on by its stage
// select, lost asking why — and the same opportunities as a table with filters; the 商机管理表
// exported in the background.

function OpportunityCard({ o, onOpen, onMoved }: { o: Opportunity; onOpen: () => void; onMoved: () => void }) {
  const { t } = useTranslation();
  return (
    <Card size="small" style={{ marginBottom: 8 }} data-testid={`card-${o.opportunityId}`} styles={{ body: { padding: 10 } }}>
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <Space size={6} wrap style={{ justifyContent: 'space-between', width: '100%' }}>
          <SubjectCell o={o} />
          <StatusTags o={o} />
        </Space>
        <Typography.Text>{o.target.label}</Typography.Text>
        <Space size={8} wrap>
          {o.expectedAmount !== null && <Amount yuan={o.expectedAmount} />}
          {o.nextStepOn && <span className="money muted">{o.nextStepOn}</span>}
        </Space>
        {o.nextStep && <Typography.Text type="secondary" ellipsis={{ tooltip: o.nextStep }}>{o.nextStep}</Typography.Text>}
        {o.status === 'lost' && o.lostReason && <Typography.Text type="secondary">{o.lostReason}</Typography.Text>}
        {o.latestComment && (
          <Tooltip title={`${o.latestComment.author.name} · ${o.latestComment.reviewDate}`}>
            <Typography.Text ellipsis data-testid={`card-comment-${o.opportunityId}`}>
              <MessageOutlined /> {t('opportunities.common.latestComment')}：{o.latestComment.body}
            </Typography.Text>
          </Tooltip>
        )}
        <Space size={6} wrap>
          <StageMover o={o} onMoved={onMoved} />
          <Button size="small" type="link" onClick={onOpen} data-testid={`card-open-${o.opportunityId}`}>
            {t('opportunities.common.open')}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}

function BoardView({ board, loading, onOpen, onMoved }: { board: Board | undefined; loading: boolean; onOpen: (id: string) => void; onMoved: () => void }) {
  const { t } = useTranslation();
  return (
    <Row gutter={8} wrap={false} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid="opportunity-board">
      {STAGES.map((stage) => {
        const col = board?.columns.find((c) => c.stage === stage);
        return (
          <Col key={stage} flex="1 0 190px" style={{ minWidth: 190 }} data-testid={`column-${stage}`}>
            <Card
              size="small"
              loading={loading && !board}
              title={
                <Space size={6}>
                  <StageTag stage={stage} />
                  <span className="money" data-testid={`column-count-${stage}`}>{col?.total ?? 0}</span>
                  {(stage === 'won' || stage === 'lost') && <span className="muted" style={{ fontWeight: 'normal' }}>{t('opportunities.mine.closedRecent')}</span>}
                </Space>
              }
              extra={<span className="money muted">{formatWan(col?.amount ?? '0')}</span>}
              styles={{ header: { padding: '0 8px' }, body: { padding: 8, background: '#fafafa', minHeight: 120 } }}
            >
              {(col?.items ?? []).map((o) => (
                <OpportunityCard key={o.opportunityId} o={o} onOpen={() => onOpen(o.opportunityId)} onMoved={onMoved} />
              ))}
              {col && col.total > col.items.length && <Typography.Text type="secondary">{t('opportunities.mine.more', { n: col.total - col.items.length })}</Typography.Text>}
              {col && col.total === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />}
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

const PAGE_SIZE = 20;

function TableView({ onOpen, version, onMoved }: { onOpen: (id: string) => void; version: number; onMoved: () => void }) {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState<ListQuery>({ status: 'open', sort: 'next_step_on', page: 1, pageSize: PAGE_SIZE });
  const list = useApi(`opportunities/table/${JSON.stringify(q)}/${version}/${i18n.language}`, (signal) => opportunitiesApi.list(q, signal));
  const set = (change: Partial<ListQuery>) => setQ((x) => ({ ...x, page: 1, ...change }));
  const columns: TableColumnsType<Opportunity> = [
    { key: 'subject', title: t('opportunities.common.customer'), width: 200, render: (_, o) => <SubjectCell o={o} /> },
    { key: 'target', title: t('opportunities.common.target'), render: (_, o) => o.target.label },
    { key: 'source', title: t('opportunities.common.source'), width: 100, render: (_, o) => t(`opportunities.sources.${o.source}`) },
    { key: 'stage', title: t('opportunities.common.stage'), width: 120, render: (_, o) => <StageTag stage={o.stage} /> },
    { key: 'amount', title: t('opportunities.common.amount'), width: 110, align: 'right', render: (_, o) => <Amount yuan={o.expectedAmount} /> },
    { key: 'next', title: t('opportunities.common.nextStep'), render: (_, o) => o.nextStep ?? '—' },
    { key: 'nextOn', title: t('opportunities.common.nextStepOn'), width: 110, render: (_, o) => <span className="money">{o.nextStepOn ?? '—'}</span> },
    { key: 'status', title: t('opportunities.common.status'), width: 130, render: (_, o) => (o.status === 'open' ? <StatusTags o={o} /> : <Tag color={o.status === 'won' ? 'green' : 'red'}>{t(`opportunities.statuses.${o.status}`)}</Tag>) },
    {
      key: 'actions',
      title: t('opportunities.common.actions'),
      width: 220,
      render: (_, o) => (
        <Space size={4}>
          <StageMover o={o} onMoved={() => (list.reload(), onMoved())} />
          <Button size="small" type="link" onClick={() => onOpen(o.opportunityId)}>
            {t('opportunities.common.open')}
          </Button>
        </Space>
      ),
    },
  ];
  return (
    <>
      <Space wrap style={{ marginBottom: 8 }}>
        <Select<OpportunityStage | ''>
          style={{ width: 150 }}
          value={q.stage ?? ''}
          aria-label={t('opportunities.common.stage')}
          onChange={(v) => set({ stage: v || undefined })}
          options={[{ value: '', label: t('opportunities.mine.allStages') }, ...STAGES.map((s) => ({ value: s, label: t(`opportunities.stages.${s}`) }))]}
        />
        <Segmented
          value={q.status ?? 'open'}
          onChange={(v) => set({ status: v as ListQuery['status'] })}
          options={[
            { value: 'open', label: t('opportunities.mine.statusOpen') },
            { value: 'closed', label: t('opportunities.mine.statusClosed') },
            { value: 'all', label: t('opportunities.mine.statusAll') },
          ]}
        />
        <Checkbox checked={q.stale === 'true'} onChange={(e) => set({ stale: e.target.checked ? 'true' : undefined })} data-testid="filter-stale">
          {t('opportunities.mine.onlyStale')}
        </Checkbox>
        <Checkbox checked={q.due === 'true'} onChange={(e) => set({ due: e.target.checked ? 'true' : undefined })}>
          {t('opportunities.mine.onlyDue')}
        </Checkbox>
        {list.data && <Typography.Text type="secondary">{t('opportunities.mine.total', { n: list.data.total, amount: formatWan(list.data.totalAmount) })}</Typography.Text>}
      </Space>
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table<Opportunity>
        size="small"
        rowKey="opportunityId"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 1100 }}
        pagination={{ current: q.page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, hideOnSinglePage: true, onChange: (page) => setQ((x) => ({ ...x, page })) }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opportunities.common.empty')} /> }}
        data-testid="opportunity-table"
      />
    </>
  );
}

export function MyOpportunitiesPage() {
  const { t, i18n } = useTranslation();
  const user = useCurrentUser();
  const [view, setView] = useState<'board' | 'table'>('board');
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const board = useApi(`opportunities/board/${version}/${i18n.language}`, (signal) => opportunitiesApi.board(undefined, signal));
  const changed = () => {
    setVersion((v) => v + 1);
  };
  return (
    <div data-testid="my-opportunities">
      <Card size="small" className="section-card">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space size={12} wrap>
            <PageTitle>{t('opportunities.mine.title')}</PageTitle>
            {board.data && (
              <>
                <Tag color="red">{t('opportunities.mine.staleCount', { n: board.data.stale })}</Tag>
                <Tag color="orange">{t('opportunities.mine.dueCount', { n: board.data.due })}</Tag>
              </>
            )}
          </Space>
          <Space wrap>
            <Segmented
              value={view}
              onChange={(v) => setView(v as 'board' | 'table')}
              options={[
                { value: 'board', label: t('opportunities.mine.board') },
                { value: 'table', label: t('opportunities.mine.table') },
              ]}
              data-testid="opportunity-view"
            />
            <NewOpportunityButton onSaved={changed} />
            <ExportButton size="small" label={t('opportunities.mine.sheet')} request={{ kind: 'opportunities', filters: { staffId: user.login } }} testId="sheet-opportunities" />
            <MyExportsButton size="small" />
          </Space>
        </Space>
      </Card>
      {board.error && <Alert type="error" showIcon title={board.error.message} style={{ marginBottom: 12 }} />}
      <Card size="small" className="section-card">
        {view === 'board' ? <BoardView board={board.data} loading={board.loading} onOpen={setOpen} onMoved={changed} /> : <TableView onOpen={setOpen} version={version} onMoved={changed} />}
      </Card>
      <OpportunityDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />
    </div>
  );
}
