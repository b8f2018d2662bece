import { Alert, App, Badge, Button, Card, DatePicker, Drawer, Empty, Form, Input, List, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { useApi } from '../../app/use-api.js';
import { errorText, StaffName } from '../ownership/ownership.parts.js';
import { PlanProgress, PlanTable } from './my-day.plan.js';
import { worklistApi, type PlanSummary } from './worklist.api.js';
import { chinaTime } from '../../app/china-time.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';

// Seed 003's daily review: the branch head sees every owner's plan of a date and how far it was
// carried out, opens one read-only and leaves a comment.

function CommentForm({ staffId, date, onSent }: { staffId: string; date: string; onSent: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ body: string }>();
  const [saving, setSaving] = useState(false);
  const send = async ({ body }: { body: string }) => {
    setSaving(true);
    try {
      await worklistApi.comment(staffId, date, body.trim());
      form.resetFields();
      message.success(t('worklist.review.commented'));
      onSent();
    } catch (err) {
      const text = err instanceof ApiError ? (err.fields?.body ?? errorText(err)) : errorText(err);
      form.setFields([{ name: 'body', errors: [text] }]);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={(v) => void send(v)} requiredMark={false}>
      <Form.Item name="body" label={t('worklist.review.comment')} rules={[{ required: true, whitespace: true, message: t('worklist.review.commentRequired') }]}>
        <Input.TextArea rows={2} maxLength={1000} placeholder={t('worklist.review.commentPlaceholder')} data-testid="review-comment" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving} data-testid="review-comment-send">
        {t('worklist.review.send')}
      </Button>
    </Form>
  );
}

function OwnerPlanDrawer({ summary, onClose, onCommented }: { summary: PlanSummary | null; onClose: () => void; onCommented: () => void }) {
  const { t, i18n } = useTranslation();
  const staffId = summary?.staff.staffId;
  const date = summary?.planDate;
  const plan = useApi(`review/plan/${staffId ?? ''}/${date ?? ''}/${i18n.language}`, (signal) => (staffId ? worklistApi.plan({ staffId, date }, signal) : Promise.resolve(null)));
  return (
    <Drawer open={summary !== null} onClose={onClose} size={1100} title={summary ? t('worklist.review.planOf', { name: summary.staff.name, date: summary.planDate }) : ''} data-testid="review-drawer">
      {plan.error && <Alert type="error" showIcon title={plan.error.message} />}
      {plan.data && (
        <Space style={{ marginBottom: 8 }}>
          <PlanProgress contacted={plan.data.contacted} planned={plan.data.planned} />
        </Space>
      )}
      <PlanTable plan={plan.data} loading={plan.loading} readOnly onChanged={plan.reload} />
      <SectionTitle style={{ marginTop: 16 }}>
        {t('worklist.review.comments')}
      </SectionTitle>
      <List
        size="small"
        dataSource={plan.data?.comments ?? []}
        // (antd greys a plain empty text at 1.8:1: secondary text is readable)
        locale={{ emptyText: <Typography.Text type="secondary">{t('worklist.review.noComments')}</Typography.Text> }}
        renderItem={(c) => (
          <List.Item data-testid="review-comment-item">
            <List.Item.Meta
              title={
                <Space size={8}>
                  <StaffName staff={c.author} />
                  <Typography.Text type="secondary" className="money" style={{ fontWeight: 'normal' }}>
                    {chinaTime(c.createdAt)}
                  </Typography.Text>
                </Space>
              }
              description={<span style={{ whiteSpace: 'pre-wrap', color: '#262626' }}>{c.body}</span>}
            />
          </List.Item>
        )}
      />
      {staffId && date && (
        <CommentForm
          staffId={staffId}
          date={date}
          onSent={() => {
            plan.reload();
            onCommented();
          }}
        />
      )}
    </Drawer>
  );
}

export function PlansReviewPage() {
  const { t, i18n } = useTranslation();
  const [date, setDate] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<PlanSummary | null>(null);
  const plans = useApi(`review/plans/${date ?? ''}/${i18n.language}`, (signal) => worklistApi.plans({ date }, signal));
  const columns: TableColumnsType<PlanSummary> = [
    { key: 'staff', title: t('worklist.common.staff'), render: (_, s) => <StaffName staff={s.staff} /> },
    { key: 'branch', title: t('worklist.review.branch'), render: (_, s) => s.branch.name },
    { key: 'planned', title: t('worklist.review.planned'), align: 'right', render: (_, s) => <span className="money">{s.planned}</span> },
    { key: 'contacted', title: t('worklist.review.contacted'), align: 'right', render: (_, s) => <span className="money">{s.contacted}</span> },
    { key: 'removed', title: t('worklist.review.removed'), align: 'right', render: (_, s) => <span className="money">{s.removed}</span> },
    { key: 'added', title: t('worklist.review.added'), align: 'right', render: (_, s) => <span className="money">{s.added}</span> },
    { key: 'risk', title: t('worklist.review.openRisk'), align: 'right', render: (_, s) => (s.openRisk > 0 ? <Badge count={s.openRisk} color="#cf1322" /> : <span className="money">0</span>) },
    { key: 'progress', title: t('worklist.review.progress'), width: 180, render: (_, s) => <PlanProgress contacted={s.contacted} planned={s.planned} /> },
    { key: 'comments', title: t('worklist.review.comments'), align: 'right', render: (_, s) => <span className="money">{s.comments}</span> },
    { key: 'reviewed', title: t('worklist.review.reviewed'), render: (_, s) => (s.reviewedAt ? <Tag color="green">{t('worklist.review.reviewed')}</Tag> : <Tag>{t('worklist.review.notReviewed')}</Tag>) },
    {
      key: 'open',
      title: t('common.actions'),
      render: (_, s) => (
        <Button size="small" type="link" onClick={() => setOpen(s)} data-testid={`review-open-${s.staff.staffId}`}>
          {t('worklist.review.open')}
        </Button>
      ),
    },
  ];
  return (
    <Card size="small" className="section-card" data-testid="plans-review">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <PageTitle>
          {t('worklist.review.title')}
        </PageTitle>
        <Space>
          <span>{t('worklist.review.date')}</span>
          <DatePicker
            allowClear
            aria-label={t('worklist.review.date')}
            value={date ? dayjs(date) : plans.data?.planDate ? dayjs(plans.data.planDate) : null}
            onChange={(d) => setDate(d ? d.format('YYYY-MM-DD') : undefined)}
            data-testid="review-date"
          />
        </Space>
      </Space>
      {plans.error && <Alert type="error" showIcon title={plans.error.message} style={{ margin: '12px 0' }} />}
      <Table<PlanSummary>
        style={{ marginTop: 12 }}
        size="small"
        rowKey={(s) => s.staff.staffId}
        loading={plans.loading}
        columns={columns}
        dataSource={plans.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('worklist.review.empty')} /> }}
      />
      <OwnerPlanDrawer summary={open} onClose={() => setOpen(null)} onCommented={plans.reload} />
    </Card>
  );
}
