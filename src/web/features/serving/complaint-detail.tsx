import { Alert, App, Button, Descriptions, Divider, Drawer, Empty, Form, Input, List, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { ANSWERS, complaintsApi, ROOT_CAUSES, type ComplaintDetail } from './complaints.api.js';
import { complainant, DueTag, StatusTag } from './complaints.parts.js';

type Action = 'note' | 'resolve' | 'close' | 'handOver';

/** One action's small form; the server's answer replaces the complaint shown. */
function ActionForm({ action, c, onDone }: { action: Action; c: ComplaintDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Record<string, string>>();
  const [saving, setSaving] = useState(false);
  const required = [{ required: true, whitespace: true, message: t('complaints.detail.required') }];
  const submit = async (v: Record<string, string>) => {
    setSaving(true);
    try {
      const id = c.complaintId;
      if (action === 'note') await complaintsApi.note(id, { kind: v.kind === 'progress' ? 'progress' : 'response', body: v.body ?? '' });
      if (action === 'resolve') await complaintsApi.resolve(id, { body: v.body ?? '', answer: v.answer === 'unsatisfied' ? 'unsatisfied' : 'satisfied' });
      if (action === 'close') await complaintsApi.close(id, { rootCause: (v.rootCause ?? 'other') as (typeof ROOT_CAUSES)[number], ...(v.body?.trim() ? { body: v.body.trim() } : {}) });
      if (action === 'handOver') await complaintsApi.handOver(id, { toStaffId: (v.toStaffId ?? '').trim(), reason: v.reason ?? '' });
      void message.success(t(action === 'note' ? 'complaints.detail.noteSaved' : action === 'resolve' ? 'complaints.detail.resolved' : action === 'close' ? 'complaints.detail.closed' : 'complaints.detail.handedOver'));
      form.resetFields();
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.fields) form.setFields(Object.entries(err.fields).map(([name, text]) => ({ name, errors: [text] })));
      void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  const initial = action === 'note' ? { kind: c.firstResponseAt ? 'progress' : 'response' } : action === 'resolve' ? { answer: 'satisfied' } : action === 'close' ? { rootCause: undefined } : {};
  return (
    <Form form={form} layout="vertical" size="small" initialValues={initial} onFinish={(v) => void submit(v)} data-testid={`complaint-${action}-form`}>
      {action === 'note' && (
        <Form.Item name="kind" label={t('complaints.detail.noteKind')}>
          <Select options={(['response', 'progress'] as const).map((k) => ({ value: k, label: t(`complaints.noteKinds.${k}`) }))} data-testid="complaint-note-kind" />
        </Form.Item>
      )}
      {action === 'handOver' && (
        <Form.Item name="toStaffId" label={t('complaints.detail.toStaff')} rules={[{ required: true, whitespace: true, message: t('complaints.detail.toStaffRequired') }]}>
          <Input maxLength={60} data-testid="complaint-to-staff" />
        </Form.Item>
      )}
      {action === 'close' && (
        <Form.Item name="rootCause" label={t('complaints.detail.rootCause')} rules={[{ required: true, message: t('complaints.detail.required') }]}>
          <Select options={ROOT_CAUSES.map((r) => ({ value: r, label: t(`complaints.rootCauses.${r}`) }))} data-testid="complaint-root-cause" />
        </Form.Item>
      )}
      {action === 'resolve' && (
        <Form.Item name="answer" label={t('complaints.detail.resolveAnswer')}>
          <Select options={ANSWERS.map((a) => ({ value: a, label: t(`complaints.answers.${a}`) }))} data-testid="complaint-answer" />
        </Form.Item>
      )}
      <Form.Item
        name={action === 'handOver' ? 'reason' : 'body'}
        label={t(action === 'note' ? 'complaints.detail.noteBody' : action === 'resolve' ? 'complaints.detail.resolveBody' : action === 'close' ? 'complaints.detail.closeBody' : 'complaints.detail.handOverReason')}
        rules={action === 'close' ? [] : required}
      >
        <Input.TextArea rows={2} maxLength={action === 'handOver' ? 500 : 2000} data-testid={`complaint-${action}-text`} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving} data-testid={`complaint-${action}-save`}>
        {t('complaints.detail.save')}
      </Button>
    </Form>
  );
}

function Body({ c, onChanged }: { c: ComplaintDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { user, can } = useSession();
  const [action, setAction] = useState<Action | null>(null);
  const works = c.status !== 'closed' && (c.owner.staffId === user?.login || can('complaints.escalated'));
  const actions: Action[] = works ? (['note', 'resolve', 'close', 'handOver'] as const).filter((a) => (a === 'close' ? c.status === 'resolved' || c.status === 'escalated' : a === 'note' || a === 'resolve' ? c.status !== 'resolved' : true)) : [];
  const label: Record<Action, string> = { note: t('complaints.detail.addNote'), resolve: t('complaints.detail.resolve'), close: t('complaints.detail.close'), handOver: t('complaints.detail.handOver') };
  return (
    <div data-testid="complaint-detail">
      {c.escalation !== 'none' && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={`${t(`complaints.escalations.${c.escalation}`)}${c.escalationReason ? ` · ${t(`complaints.reasons.${c.escalationReason}`)}` : ''}`}
          data-testid="complaint-escalated"
        />
      )}
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('complaints.columns.complainant')}>{complainant(c)}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.channel')}>{t(`complaints.channels.${c.channel}`)}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.category')}>{t(`complaints.categories.${c.category as 'other'}`, { defaultValue: c.category })}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.detail.band')}>{c.band ?? t('complaints.detail.noBand')}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.received')}><span className="money">{chinaTime(c.receivedAt)}</span></Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.responseDue')}><span className="money" data-testid="complaint-response-due">{chinaTime(c.first_response_due)}</span></Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.resolutionDue')}><span className="money" data-testid="complaint-resolution-due">{chinaTime(c.resolution_due)}</span></Descriptions.Item>
        <Descriptions.Item label={t('complaints.columns.status')}>
          <Space size={4}>
            <StatusTag c={c} t={t} />
            <DueTag c={c} t={t} />
            {c.reopenedOnce && <Tag>{t('complaints.detail.reopened')}</Tag>}
          </Space>
        </Descriptions.Item>
        {c.firstResponseAt && <Descriptions.Item label={t('complaints.detail.firstResponseAt')}><span className="money">{chinaTime(c.firstResponseAt)}</span></Descriptions.Item>}
        {c.customerAnswer && <Descriptions.Item label={t('complaints.detail.answer')}>{t(`complaints.answers.${c.customerAnswer}`)}</Descriptions.Item>}
        {c.resolvedAt && <Descriptions.Item label={t('complaints.detail.resolvedAt')}><span className="money">{chinaTime(c.resolvedAt)}</span></Descriptions.Item>}
        {c.rootCause && <Descriptions.Item label={t('complaints.detail.rootCause')}>{t(`complaints.rootCauses.${c.rootCause}`)}</Descriptions.Item>}
        {c.closedAt && <Descriptions.Item label={t('complaints.detail.closedAt')}><span className="money">{chinaTime(c.closedAt)}</span></Descriptions.Item>}
        <Descriptions.Item label={t('complaints.columns.owner')}>{c.owner.name}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.detail.recordedBy')}>{c.recordedBy.name}</Descriptions.Item>
        <Descriptions.Item label={t('complaints.detail.description')}>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{c.description}</Typography.Paragraph>
        </Descriptions.Item>
      </Descriptions>
      <Divider titlePlacement="start" plain>{t('complaints.detail.notes')}</Divider>
      <List
        size="small"
        dataSource={c.notes}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('complaints.detail.noNotes')} /> }}
        renderItem={(n) => (
          <List.Item data-testid="complaint-note">
            <div>
              <Space size={6} wrap>
                <Tag>{t(`complaints.noteKinds.${n.kind}`)}</Tag>
                {n.answer && <Tag color={n.answer === 'satisfied' ? STATE_HEX.green : STATE_HEX.red}>{t(`complaints.answers.${n.answer}`)}</Tag>}
                <Typography.Text type="secondary" className="money">{chinaTime(n.writtenAt)}</Typography.Text>
                <Typography.Text type="secondary">{n.writtenBy.name}</Typography.Text>
              </Space>
              <div style={{ whiteSpace: 'pre-wrap' }}>{n.body}</div>
            </div>
          </List.Item>
        )}
      />
      {c.handovers.length > 0 && (
        <>
          <Divider titlePlacement="start" plain>{t('complaints.detail.handovers')}</Divider>
          <List
            size="small"
            dataSource={c.handovers}
            renderItem={(h) => (
              <List.Item>
                <span className="money">{chinaTime(h.handedAt)}</span>&nbsp;{t('complaints.detail.handover', { from: h.from.name, to: h.to.name, reason: h.reason })}
              </List.Item>
            )}
          />
        </>
      )}
      {actions.length > 0 && (
        <>
          <Divider />
          <Space wrap style={{ marginBottom: 12 }}>
            {actions.map((a) => (
              <Button key={a} type={action === a ? 'primary' : 'default'} onClick={() => setAction(action === a ? null : a)} data-testid={`complaint-action-${a}`}>
                {label[a]}
              </Button>
            ))}
          </Space>
          {action && actions.includes(action) && (
            <ActionForm
              key={action}
              action={action}
              c={c}
              onDone={() => {
                setAction(null);
                onChanged();
              }}
            />
          )}
        </>
      )}
    </div>
  );
}

/** A complaint's detail in a drawer: due times, notes, hand-overs, and what the owner (or a branch head) may do next. */
export function ComplaintDetailDrawer({ complaintId, onClose, onChanged }: { complaintId: string | null; onClose: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState(0);
  const detail = useApi(`complaint/${complaintId ?? ''}/${version}/${i18n.language}`, (signal) => (complaintId ? complaintsApi.get(complaintId, signal) : Promise.resolve(undefined)));
  const c = detail.data && detail.data.complaintId === complaintId ? detail.data : undefined;
  return (
    <Drawer open={complaintId !== null} onClose={onClose} title={t('complaints.detail.title', { id: complaintId ?? '' })} size={680} destroyOnHidden data-testid="complaint-drawer">
      {detail.error ? (
        <Alert type="error" showIcon title={detail.error.message} />
      ) : !c ? (
        <Skeleton active />
      ) : (
        <Body
          c={c}
          onChanged={() => {
            setVersion((v) => v + 1);
            onChanged();
          }}
        />
      )}
    </Drawer>
  );
}
