import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Form, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { chinaTime } from '../../app/china-time.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { runsApi, type RunItem, type RunKind, type RunOutcome, type RunsFilters } from './runs.api.js';

// "Did last night's run work?" (issue 18): every load and daily batch, newest first, for the
// department and branch heads. A run that failed, was refused or was interrupted is in red and
// opened at once, its problems listed by file and line; a batch opens on its steps and their
// seconds, a load on its files.

const KINDS = ['load', 'batch'] as const satisfies readonly RunKind[];
const OUTCOMES = ['running', 'interrupted', 'done', 'unchanged', 'refused', 'failed'] as const satisfies readonly RunOutcome[];
/** as runs.contract.ts's BAD_OUTCOMES (the web app imports the contract's types only) */
const BAD: readonly RunOutcome[] = ['failed', 'refused', 'interrupted'];
/** red-1 of antd's palette, behind a run that went wrong (its texts keep ≥ 4.5:1 on it) */
const BAD_ROW = '#fff1f0';
const VISUALLY_HIDDEN = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' } as const;
const STEPS = ['tiering', 'ownership', 'events', 'worklist'] as const;

const OUTCOME_COLOUR: Record<RunOutcome, string | undefined> = {
  running: 'blue',
  interrupted: 'volcano',
  done: 'green',
  unchanged: undefined,
  refused: 'red',
  failed: 'red',
};

interface FilterForm {
  kind?: RunKind;
  outcome?: RunOutcome;
  dates?: [Dayjs | null, Dayjs | null] | null;
}

function toFilters(v: FilterForm): RunsFilters {
  const f: RunsFilters = {};
  if (v.kind) f.kind = v.kind;
  if (v.outcome) f.outcome = v.outcome;
  const [from, to] = v.dates ?? [];
  if (from) f.from = from.format('YYYY-MM-DD');
  if (to) f.to = to.format('YYYY-MM-DD');
  return f;
}

/** 12.3 s, 4 min 5 s, 2 h 3 min */
export function formatDuration(t: TFunction, seconds: number): string {
  if (seconds < 60) return t('runs.seconds', { n: seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds) });
  const whole = Math.round(seconds);
  if (whole < 3600) return t('runs.minutes', { m: Math.floor(whole / 60), s: whole % 60 });
  return t('runs.hours', { h: Math.floor(whole / 3600), m: Math.floor((whole % 3600) / 60) });
}

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));
const isBad = (r: RunItem) => BAD.includes(r.outcome);
const hasDetail = (r: RunItem) => r.problems.length > 0 || r.moreProblems > 0 || r.message !== null || r.steps.length > 0 || r.files.length > 0;

export function OutcomeTag({ outcome }: { outcome: RunOutcome }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t(`runs.outcomeHints.${outcome}`)}>
      <Tag color={OUTCOME_COLOUR[outcome]} data-testid="run-outcome" style={{ marginInlineEnd: 0 }}>
        {t(`runs.outcomes.${outcome}`)}
      </Tag>
    </Tooltip>
  );
}

/** What a run opens on: its error, its problems by file and line, a batch's steps, a load's files. */
function RunDetail({ run }: { run: RunItem }) {
  const { t } = useTranslation();
  const stepName = (s: string) => ((STEPS as readonly string[]).includes(s) ? `${t(`runs.stepNames.${s as (typeof STEPS)[number]}`)} (${s})` : s);
  const parts: ReactNode[] = [];
  if (run.message !== null) {
    parts.push(<Alert key="message" type="error" showIcon title={`${t('runs.message')}：${run.message}`} data-testid="run-message" />);
  }
  if (run.problems.length > 0 && !(run.problems.length === 1 && run.problems[0]?.file === null && run.problems[0]?.message === run.message)) {
    parts.push(
      <div key="problems" data-testid="run-problems">
        <SectionTitle>{t('runs.problems')}</SectionTitle>
        <Table
          size="small"
          rowKey={(_, i) => String(i)}
          pagination={false}
          scroll={{ x: 560 }}
          dataSource={run.problems}
          onRow={() => ({ 'data-testid': 'run-problem' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'file', title: t('runs.file'), width: 150, render: (_, p) => p.file ?? '—' },
            { key: 'line', title: t('runs.line'), width: 70, align: 'right', render: (_, p) => <span className="money">{p.line ?? '—'}</span> },
            { key: 'column', title: t('runs.column'), width: 130, render: (_, p) => p.column ?? '—' },
            { key: 'message', title: t('runs.problemText'), render: (_, p) => <Typography.Text type="danger">{p.message}</Typography.Text> },
          ]}
        />
      </div>,
    );
  }
  if (run.moreProblems > 0) {
    parts.push(
      <Typography.Text key="more" type="danger" data-testid="run-more-problems">
        {t('runs.moreProblems', { n: run.moreProblems.toLocaleString('en-US') })}
      </Typography.Text>,
    );
  }
  if (run.steps.length > 0) {
    parts.push(
      <div key="steps" data-testid="run-steps">
        <SectionTitle>{t('runs.steps')}</SectionTitle>
        <Table
          size="small"
          rowKey={(s, i) => `${s.step}-${i}`}
          pagination={false}
          scroll={{ x: 560 }}
          dataSource={run.steps}
          columns={[
            { key: 'step', title: t('runs.step'), width: 200, render: (_, s) => stepName(s.step) },
            { key: 'seconds', title: t('runs.stepSeconds'), width: 110, align: 'right', render: (_, s) => <span className="money">{s.seconds === null ? '—' : formatDuration(t, s.seconds)}</span> },
            { key: 'summary', title: t('runs.summary'), render: (_, s) => s.summary ?? '—' },
          ]}
        />
      </div>,
    );
  }
  if (run.files.length > 0) {
    parts.push(
      <div key="files" data-testid="run-files">
        <SectionTitle>{t('runs.files')}</SectionTitle>
        <Table
          size="small"
          rowKey={(f, i) => `${f.file}-${i}`}
          pagination={false}
          scroll={{ x: 480 }}
          dataSource={run.files}
          columns={[
            { key: 'file', title: t('runs.file'), render: (_, f) => f.file },
            { key: 'rows', title: t('runs.fileRows'), align: 'right', render: (_, f) => <span className="money">{count(f.rows)}</span> },
            { key: 'written', title: t('runs.written'), align: 'right', render: (_, f) => <span className="money">{count(f.written)}</span> },
            { key: 'gone', title: t('runs.gone'), align: 'right', render: (_, f) => <span className="money">{count(f.gone)}</span> },
          ]}
        />
      </div>,
    );
  }
  if (parts.length === 0) return <Typography.Text type="secondary">{t('runs.nothingMore')}</Typography.Text>;
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%' }} data-testid={`run-detail-${run.id}`}>
      {parts}
    </Space>
  );
}

export function RunsPage() {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<FilterForm>();
  const [filters, setFilters] = useState<RunsFilters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [attempt, setAttempt] = useState(0);
  const list = useApi(`runs/${JSON.stringify(filters)}/${page}/${pageSize}/${attempt}/${i18n.language}`, (signal) => runsApi.list({ ...filters, page, pageSize }, signal));
  const [expanded, setExpanded] = useState<readonly React.Key[]>([]);

  // a run that went wrong opens at once: its problems are what the reader came for
  const items = list.data?.items;
  useEffect(() => {
    if (items) setExpanded(items.filter((r) => isBad(r) && hasDetail(r)).map((r) => r.id));
  }, [items]);

  const columns: TableColumnsType<RunItem> = [
    {
      key: 'date',
      title: t('runs.date'),
      width: 112,
      render: (_, r) => (r.businessDate ? <span className="money">{r.businessDate}</span> : <Typography.Text type="secondary">{t('runs.noDate')}</Typography.Text>),
    },
    { key: 'kind', title: t('runs.kind'), width: 100, render: (_, r) => t(`runs.kinds.${r.kind}`) },
    { key: 'started', title: t('runs.started'), width: 140, render: (_, r) => <span className="money">{chinaTime(r.startedAt)}</span> },
    {
      key: 'duration',
      title: t('runs.duration'),
      width: 120,
      align: 'right',
      render: (_, r) => (r.durationSeconds === null ? '—' : <span className="money">{r.outcome === 'running' ? t('runs.soFar', { d: formatDuration(t, r.durationSeconds) }) : formatDuration(t, r.durationSeconds)}</span>),
    },
    { key: 'rows', title: t('runs.rows'), width: 110, align: 'right', render: (_, r) => <span className="money">{count(r.rows)}</span> },
    { key: 'outcome', title: t('runs.outcome'), width: 96, render: (_, r) => <OutcomeTag outcome={r.outcome} /> },
    { key: 'attempt', title: t('runs.attempt'), width: 76, align: 'right', render: (_, r) => <span className="money">{r.attempt}</span> },
    { key: 'startedBy', title: t('runs.startedBy'), width: 110, responsive: ['md'], render: (_, r) => t(`runs.startedByValues.${r.startedBy}`) },
    { key: 'folder', title: t('runs.folder'), width: 120, responsive: ['lg'], render: (_, r) => r.folder ?? '—' },
    {
      key: 'message',
      title: t('runs.message'),
      ellipsis: true,
      render: (_, r) =>
        r.message ? (
          <Typography.Text type="danger" title={r.message}>
            {r.message}
          </Typography.Text>
        ) : r.problems.length > 0 ? (
          <Typography.Text type="danger">
            {[r.problems[0]?.file, r.problems[0]?.line !== null ? `${t('runs.line')} ${r.problems[0]?.line}` : null].filter(Boolean).join(' ')}
            {`：${r.problems[0]?.message ?? ''}`}
          </Typography.Text>
        ) : null,
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="runs-page">
      <PageTitle>{t('runs.title')}</PageTitle>
      <Typography.Paragraph type="secondary">{t('runs.hint')}</Typography.Paragraph>
      <Form<FilterForm>
        form={form}
        layout="inline"
        className="filter-bar"
        onValuesChange={(_, all) => {
          setFilters(toFilters(all));
          setPage(1);
        }}
        style={{ rowGap: 8 }}
      >
        <Form.Item name="kind" label={t('runs.kind')}>
          <Select allowClear style={{ width: 130 }} placeholder={t('runs.any')} options={KINDS.map((k) => ({ value: k, label: t(`runs.kinds.${k}`) }))} data-testid="runs-kind" />
        </Form.Item>
        <Form.Item name="outcome" label={t('runs.outcome')}>
          <Select allowClear style={{ width: 120 }} placeholder={t('runs.any')} options={OUTCOMES.map((o) => ({ value: o, label: t(`runs.outcomes.${o}`) }))} data-testid="runs-outcome" />
        </Form.Item>
        <Form.Item name="dates" label={t('runs.dates')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} style={{ maxWidth: 260 }} />
        </Form.Item>
        <Space>
          <Button
            onClick={() => {
              form.resetFields();
              setFilters({});
              setPage(1);
            }}
          >
            {t('runs.reset')}
          </Button>
          <Button icon={<ReloadOutlined />} onClick={() => setAttempt((n) => n + 1)} data-testid="runs-refresh">
            {t('runs.refresh')}
          </Button>
        </Space>
      </Form>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Table<RunItem>
        rowKey="id"
        size="small"
        loading={list.loading}
        columns={columns}
        dataSource={items ?? []}
        locale={{ emptyText: t('runs.empty') }}
        rowClassName={(r) => (isBad(r) ? 'row-run-bad' : '')}
        // in red: a light red row (its cells are transparent), the outcome's red tag and the error in red text
        onRow={(r) => ({ 'data-testid': 'run-row', 'data-outcome': r.outcome, ...(isBad(r) ? { style: { background: BAD_ROW } } : {}) }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          // the column of the + has a header a screen reader can name (it is empty to the eye)
          columnTitle: <span style={VISUALLY_HIDDEN}>{t('runs.details')}</span>,
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys),
          rowExpandable: hasDetail,
          expandedRowRender: (r) => <RunDetail run={r} />,
        }}
        scroll={{ x: 980 }}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (n) => t('runs.total', { n }),
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
      />
    </Card>
  );
}
