import { SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Empty, Input, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaTime } from '../../app/china-time.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { Wan } from '../customers/money.view.js';
import { errorText, StaffName } from '../ownership/ownership.parts.js';
import { opportunitiesApi, WEEK_FLAGS, type ManagerWeek, type OutletWeek, type ReviewItem, type WeekFlag } from './opportunities.api.js';
import { Amount, OpportunityDrawer, StageTag, SubjectCell } from './opportunity-parts.js';

// The branch head's weekly review (seed 003): the 7 days to the review date, per manager what was
// created, moved, won, lost and stale; the week's opportunities, each with a comment; saved with
// its date, the comments show on the managers' opportunities.

const PAGE_SIZE = 50;
const FLAG_COLOR: Record<string, string> = { created: 'blue', moved: 'cyan', won: 'green', lost: 'default', stale: 'red' };

export function OpportunityReviewPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [date, setDate] = useState<string | undefined>(undefined);
  // an outlet chosen from the per-outlet summary of a wide scope (the department's bank)
  const [branch, setBranch] = useState<{ id: string; name: string } | undefined>(undefined);
  const [staffId, setStaffId] = useState<string | undefined>(undefined);
  const [flag, setFlag] = useState<WeekFlag | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [comments, setComments] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  // the week's opportunities a page at a time (the managers' figures are the whole week's)
  const review = useApi(`opportunity-review/${date ?? ''}/${branch?.id ?? ''}/${staffId ?? ''}/${flag ?? ''}/${page}/${i18n.language}`, (signal) =>
    opportunitiesApi.review({ date, branchId: branch?.id, staffId, flag, page, pageSize: PAGE_SIZE }, signal),
  );
  const byOutlet = review.data?.groupedBy === 'outlet';
  const data = review.data;
  // the comments as saved, for this date
  useEffect(() => {
    if (data) setComments(Object.fromEntries(data.items.map((i) => [i.opportunityId, i.comment ?? ''])));
  }, [data]);

  const save = async () => {
    if (!data) return;
    setSaving(true);
    try {
      await opportunitiesApi.saveReview({ date: data.date, branchId: branch?.id, comments: data.items.map((i) => ({ opportunityId: i.opportunityId, body: (comments[i.opportunityId] ?? '').trim() })) });
      message.success(t('opportunities.review.savedOk'));
      review.reload();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  // the week's figures, the same columns per manager and per outlet
  const figureColumns = <T extends OutletWeek>(testId: (r: T) => string): TableColumnsType<T> => [
    ...(['created', 'moved', 'won', 'lost', 'stale', 'open'] as const).map((k) => ({
      key: k,
      title: t(`opportunities.review.${k}`),
      align: 'right' as const,
      render: (_: unknown, r: T) => (k === 'stale' && r.stale > 0 ? <Tag color="red">{r.stale}</Tag> : <span className="money" data-testid={`${testId(r)}-${k}`}>{r[k]}</span>),
    })),
    { key: 'wonAmount', title: t('opportunities.review.wonAmount'), align: 'right', render: (_: unknown, r: T) => <Wan yuan={r.wonAmount} /> },
  ];
  const managerColumns: TableColumnsType<ManagerWeek> = [
    { key: 'staff', title: t('opportunities.review.manager'), render: (_, m) => <StaffName staff={m.staff} /> },
    { key: 'branch', title: t('opportunities.review.branch'), render: (_, m) => m.branch.name },
    ...figureColumns<ManagerWeek>((m) => `week-${m.staff.staffId}`),
  ];
  const outletColumns: TableColumnsType<OutletWeek> = [
    { key: 'branch', title: t('opportunities.review.outlet'), render: (_, o) => o.branch.name },
    ...figureColumns<OutletWeek>((o) => `outlet-${o.branch.id}`),
  ];
  const itemColumns: TableColumnsType<ReviewItem> = [
    { key: 'owner', title: t('opportunities.common.owner'), width: 90, render: (_, o) => o.owner.name },
    { key: 'subject', title: t('opportunities.common.customer'), width: 180, render: (_, o) => <SubjectCell o={o} /> },
    { key: 'target', title: t('opportunities.common.target'), render: (_, o) => o.target.label },
    { key: 'stage', title: t('opportunities.common.stage'), width: 110, render: (_, o) => <StageTag stage={o.stage} /> },
    { key: 'amount', title: t('opportunities.common.amount'), width: 100, align: 'right', render: (_, o) => <Amount yuan={o.expectedAmount} /> },
    {
      key: 'flags',
      title: t('opportunities.review.flags'),
      width: 150,
      render: (_, o) => (
        <Space size={2} wrap>
          {o.flags.map((f) => (
            <Tag key={f} color={FLAG_COLOR[f]}>
              {t(`opportunities.flags.${f}`)}
            </Tag>
          ))}
        </Space>
      ),
    },
    { key: 'next', title: t('opportunities.common.nextStep'), render: (_, o) => (o.nextStep ? `${o.nextStep}（${o.nextStepOn ?? ''}）` : (o.lostReason ?? '—')) },
    {
      key: 'comment',
      title: t('opportunities.review.comment'),
      width: 260,
      render: (_, o) => (
        <Input.TextArea
          autoSize={{ minRows: 1, maxRows: 3 }}
          maxLength={1000}
          value={comments[o.opportunityId] ?? ''}
          placeholder={t('opportunities.review.commentPlaceholder')}
          aria-label={t('opportunities.review.comment')}
          onChange={(e) => setComments((c) => ({ ...c, [o.opportunityId]: e.target.value }))}
          data-testid={`review-comment-${o.opportunityId}`}
        />
      ),
    },
    {
      key: 'open',
      title: '',
      width: 60,
      render: (_, o) => (
        <Button size="small" type="link" onClick={() => setOpen(o.opportunityId)}>
          {t('opportunities.common.open')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="opportunity-review">
      <Card size="small" className="section-card">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Space size={12} wrap>
            <PageTitle>{t('opportunities.review.title')}</PageTitle>
            {data && <Typography.Text type="secondary">{t('opportunities.review.range', { from: data.from, to: data.to })}</Typography.Text>}
          </Space>
          <Space wrap>
            <span>{t('opportunities.review.date')}</span>
            <DatePicker
              aria-label={t('opportunities.review.date')}
              value={date ? dayjs(date) : data ? dayjs(data.date) : null}
              onChange={(d) => {
                setDate(d ? d.format('YYYY-MM-DD') : undefined);
                setPage(1);
              }}
              data-testid="review-date"
            />
            {!byOutlet && (
              <>
                <Select
                  style={{ width: 180 }}
                  aria-label={t('opportunities.review.manager')}
                  value={staffId ?? ''}
                  onChange={(v) => {
                    setStaffId(v || undefined);
                    setPage(1);
                  }}
                  options={[{ value: '', label: t('opportunities.review.all') }, ...(data?.managers ?? []).map((m) => ({ value: m.staff.staffId, label: m.staff.name }))]}
                  data-testid="review-manager"
                />
                <Select
                  style={{ width: 140 }}
                  aria-label={t('opportunities.review.flags')}
                  value={flag ?? ''}
                  onChange={(v) => {
                    setFlag((v || undefined) as WeekFlag | undefined);
                    setPage(1);
                  }}
                  options={[{ value: '', label: t('opportunities.review.allFlags') }, ...WEEK_FLAGS.map((f) => ({ value: f, label: t(`opportunities.flags.${f}`) }))]}
                  data-testid="review-flag"
                />
              </>
            )}
            <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={!data || byOutlet} onClick={() => void save()} data-testid="review-save">
              {t('opportunities.review.save')}
            </Button>
          </Space>
        </Space>
        <Typography.Text type="secondary" data-testid="review-saved">
          {data?.saved ? t('opportunities.review.saved', { time: chinaTime(data.saved.savedAt), name: data.saved.reviewer.name }) : t('opportunities.review.notSaved')}
        </Typography.Text>
      </Card>
      {review.error && <Alert type="error" showIcon title={review.error.message} style={{ marginBottom: 12 }} />}
      {branch && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('opportunities.review.oneOutlet', { name: branch.name })}
          action={
            <Button
              size="small"
              onClick={() => {
                setBranch(undefined);
                setStaffId(undefined);
                setPage(1);
              }}
              data-testid="review-all-outlets"
            >
              {t('opportunities.review.allOutlets')}
            </Button>
          }
        />
      )}
      {byOutlet ? (
        <Card size="small" className="section-card">
          <SectionTitle>{t('opportunities.review.outlets')}</SectionTitle>
          <Typography.Paragraph type="secondary">{t('opportunities.review.outletsHint', { count: data?.total ?? 0 })}</Typography.Paragraph>
          <Table<OutletWeek>
            size="small"
            rowKey={(o) => o.branch.id}
            loading={review.loading}
            columns={outletColumns}
            dataSource={data?.outlets ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            onRow={(o) => ({
              onClick: () => {
                setBranch(o.branch);
                setStaffId(undefined);
                setPage(1);
              },
              style: { cursor: 'pointer' },
            })}
            data-testid="review-outlets"
          />
        </Card>
      ) : (
        <>
          <Card size="small" className="section-card">
            <SectionTitle>{t('opportunities.review.managers')}</SectionTitle>
            <Table<ManagerWeek>
              size="small"
              rowKey={(m) => m.staff.staffId}
              loading={review.loading}
              columns={managerColumns}
              dataSource={data?.managers ?? []}
              pagination={false}
              onRow={(m) => ({
                onClick: () => {
                  setStaffId(m.staff.staffId);
                  setPage(1);
                },
                style: { cursor: 'pointer' },
              })}
              data-testid="review-managers"
            />
          </Card>
          <Card size="small" className="section-card">
            <SectionTitle>{t('opportunities.review.items')}</SectionTitle>
            <Table<ReviewItem>
              size="small"
              rowKey="opportunityId"
              loading={review.loading}
              columns={itemColumns}
              dataSource={data?.items ?? []}
              pagination={{ current: page, pageSize: PAGE_SIZE, total: data?.total ?? 0, hideOnSinglePage: true, showSizeChanger: false, onChange: (p) => setPage(p) }}
              scroll={{ x: 1200 }}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opportunities.review.empty')} /> }}
              data-testid="review-items"
            />
          </Card>
        </>
      )}
      <OpportunityDrawer id={open} onClose={() => setOpen(null)} onChanged={review.reload} />
    </div>
  );
}
