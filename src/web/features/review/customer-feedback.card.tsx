import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Empty, Form, Input, Modal, Select, Table, Tag, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaToday } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { FEEDBACK_KIND_LIST, reviewApi, type Feedback, type FeedbackKind } from './review.api.js';

const KIND_COLOR: Record<FeedbackKind, string> = { volunteered_private_info: 'blue', asked_for_help: 'orange', contacted_on_own: 'green', referred_someone: 'purple' };

/** On the customer 360 page: the customer's feedback (客户反馈), and "record feedback" for whoever serves them. */
export function CustomerFeedbackCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [adding, setAdding] = useState(false);
  const list = useApi(`customer-feedback/${customerId}/${version}/${i18n.language}`, (signal) => reviewApi.customerFeedback(customerId, signal));
  const columns: TableColumnsType<Feedback> = [
    { key: 'on', title: t('review.feedback.card.on'), width: 110, render: (_, f) => <span className="money">{f.on}</span> },
    { key: 'kind', title: t('review.feedback.card.kind'), width: 170, render: (_, f) => <Tag color={KIND_COLOR[f.kind]}>{t(`review.feedback.kinds.${f.kind}`)}</Tag> },
    { key: 'note', title: t('review.feedback.card.note'), render: (_, f) => f.note ?? '—' },
    { key: 'owner', title: t('review.feedback.card.owner'), width: 100, render: (_, f) => f.owner?.name ?? '—' },
    { key: 'by', title: t('review.feedback.card.recordedBy'), width: 100, render: (_, f) => f.recordedBy.name },
  ];
  return (
    <Card
      size="small"
      className="section-card"
      title={t('review.feedback.card.title')}
      extra={
        can('feedback.record') && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="feedback-add">
            {t('review.feedback.card.add')}
          </Button>
        )
      }
      data-testid="customer-feedback"
    >
      <Table<Feedback>
        size="small"
        rowKey="feedbackId"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 5, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('review.feedback.card.empty')} /> }}
      />
      <FeedbackDialog
        open={adding}
        customerId={customerId}
        onClose={() => setAdding(false)}
        onSaved={() => {
          setAdding(false);
          setVersion((v) => v + 1);
        }}
      />
    </Card>
  );
}

function FeedbackDialog({ open, customerId, onClose, onSaved }: { open: boolean; customerId: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind?: FeedbackKind; on?: Dayjs | null; note?: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async (v: { kind?: FeedbackKind; on?: Dayjs | null; note?: string }) => {
    if (!v.kind) return;
    setSaving(true);
    try {
      await reviewApi.recordFeedback(customerId, { kind: v.kind, on: v.on ? v.on.format('YYYY-MM-DD') : undefined, note: v.note?.trim() || undefined });
      message.success(t('review.feedback.card.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.fields && Object.keys(err.fields).length) {
        form.setFields(Object.entries(err.fields).map(([name, text]) => ({ name: name as 'kind' | 'on' | 'note', errors: [text] })));
      } else {
        message.error(errorText(err));
      }
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('review.feedback.card.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('review.feedback.card.save')}
      cancelText={t('review.feedback.card.cancel')}
      okButtonProps={{ loading: saving }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ on: dayjs(chinaToday()) }} onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        <Form.Item name="kind" label={t('review.feedback.card.kind')} rules={[{ required: true, message: t('review.feedback.card.kindRequired') }]}>
          <Select options={FEEDBACK_KIND_LIST.map((k) => ({ value: k, label: t(`review.feedback.kinds.${k}`) }))} data-testid="feedback-kind" />
        </Form.Item>
        <Form.Item name="on" label={t('review.feedback.card.on')}>
          <DatePicker disabledDate={(d) => d.isAfter(dayjs(chinaToday()), 'day')} data-testid="feedback-on" />
        </Form.Item>
        <Form.Item name="note" label={t('review.feedback.card.note')}>
          <Input.TextArea rows={2} maxLength={500} placeholder={t('review.feedback.card.notePlaceholder')} data-testid="feedback-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
