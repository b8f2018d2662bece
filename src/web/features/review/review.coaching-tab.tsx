import { ArrowLeftOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Empty, Form, Input, List, Modal, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaToday } from '../../app/china-time.js';
import { SectionTitle } from '../../app/page-title.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { errorText, StaffName } from '../ownership/ownership.parts.js';
import { reviewApi, type Coaching, type CoachingManager } from './review.api.js';
import { CoachingDetails, FollowUpTag } from './review.parts.js';

// The coaching log (绩效沟通辅导): per manager the records, the last coaching and the next follow-up
// due; a manager's row opens their records; a form writes a new one (its follow-up date becomes a
// work task on the author's My day); the author edits a record or records its follow-up.

interface CoachingForm {
  staffId?: string;
  coachedOn?: Dayjs | null;
  findings?: string;
  actions?: string;
  followUpOn?: Dayjs | null;
}
type Editing = { mode: 'new'; staffId?: string } | { mode: 'edit'; record: Coaching } | { mode: 'followUp'; record: Coaching } | null;

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

export function CoachingTab({ staffId, onStaff }: { staffId: string | undefined; onStaff: (id: string | undefined) => void }) {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<Editing>(null);
  const user = useCurrentUser();
  const log = useApi(`coaching/${staffId ?? ''}/${version}/${i18n.language}`, (signal) => reviewApi.coaching({ staffId }, signal));
  // the managers to choose from in the form: the whole scope's, whichever manager is open
  const all = useApi(`coaching-managers/${version}/${i18n.language}`, (signal) => (staffId ? reviewApi.coaching({}, signal) : Promise.resolve(null)));
  const managers = (staffId ? all.data?.managers : log.data?.managers) ?? [];
  const chosen = log.data?.managers.find((m) => m.staff.staffId === staffId);

  const columns: TableColumnsType<CoachingManager> = [
    { key: 'staff', title: t('review.page.manager'), render: (_, m) => <StaffName staff={m.staff} /> },
    { key: 'branch', title: t('review.page.branch'), render: (_, m) => m.branch.name },
    { key: 'records', title: t('review.coaching.records'), align: 'right', render: (_, m) => <span className="money" data-testid={`coaching-count-${m.staff.staffId}`}>{m.records}</span> },
    { key: 'last', title: t('review.coaching.lastCoachedOn'), render: (_, m) => <span className="money">{m.lastCoachedOn ?? '—'}</span> },
    { key: 'next', title: t('review.coaching.nextFollowUpOn'), render: (_, m) => <span className="money">{m.nextFollowUpOn ?? '—'}</span> },
    {
      key: 'open',
      title: '',
      render: (_, m) => (
        <Space size={4}>
          <Button size="small" type="link" onClick={() => onStaff(m.staff.staffId)} data-testid={`coaching-open-${m.staff.staffId}`}>
            {t('review.spot.openManager')}
          </Button>
          <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'new', staffId: m.staff.staffId })} data-testid={`coaching-new-${m.staff.staffId}`}>
            {t('review.coaching.new')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="coaching-tab">
      <Typography.Paragraph type="secondary">{t('review.coaching.hint')}</Typography.Paragraph>
      {log.error && <Alert type="error" showIcon title={log.error.message} style={{ marginBottom: 12 }} />}
      <Space style={{ marginBottom: 12 }} wrap>
        {staffId && (
          <Button icon={<ArrowLeftOutlined />} onClick={() => onStaff(undefined)} data-testid="coaching-back">
            {t('review.page.back')}
          </Button>
        )}
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'new', ...(staffId ? { staffId } : {}) })} data-testid="coaching-new">
          {t('review.coaching.new')}
        </Button>
      </Space>
      {!staffId && (
        <Table<CoachingManager>
          size="small"
          rowKey={(m) => m.staff.staffId}
          loading={log.loading}
          columns={columns}
          dataSource={log.data?.managers ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          data-testid="coaching-managers"
        />
      )}
      <SectionTitle>{chosen ? t('review.coaching.recordsOf', { name: chosen.staff.name }) : t('review.coaching.allRecords')}</SectionTitle>
      <List<Coaching>
        loading={log.loading}
        dataSource={log.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('review.coaching.empty')} /> }}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        renderItem={(c) => (
          <List.Item
            key={c.coachingId}
            actions={
              c.author.staffId === user.login
                ? [
                    <Button key="edit" size="small" icon={<EditOutlined />} onClick={() => setEditing({ mode: 'edit', record: c })} data-testid={`coaching-edit-${c.coachingId}`}>
                      {t('review.coaching.edit')}
                    </Button>,
                    ...(c.followedUpAt
                      ? []
                      : [
                          <Button key="follow" size="small" onClick={() => setEditing({ mode: 'followUp', record: c })} data-testid={`coaching-follow-up-${c.coachingId}`}>
                            {t('review.coaching.followUp')}
                          </Button>,
                        ]),
                  ]
                : [<FollowUpTag key="state" c={c} />]
            }
          >
            <div style={{ width: '100%' }}>
              <CoachingDetails c={c} />
            </div>
          </List.Item>
        )}
      />
      <CoachingDialog
        editing={editing}
        managers={managers}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          setVersion((v) => v + 1);
        }}
      />
    </div>
  );
}

/** New record, edit, or the follow-up: one dialog, the server's field errors shown at their fields. */
function CoachingDialog({ editing, managers, onClose, onSaved }: { editing: Editing; managers: CoachingManager[]; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CoachingForm & { note?: string }>();
  const [saving, setSaving] = useState(false);
  const mode = editing?.mode ?? 'new';
  const record = editing && editing.mode !== 'new' ? editing.record : null;
  const initial =
    editing?.mode === 'new'
      ? { staffId: editing.staffId, coachedOn: dayjs(chinaToday()) }
      : record
        ? { staffId: record.staff.staffId, coachedOn: dayjs(record.coachedOn), findings: record.findings, actions: record.actions, followUpOn: record.followUpOn ? dayjs(record.followUpOn) : null }
        : {};

  const submit = async (v: CoachingForm & { note?: string }) => {
    setSaving(true);
    try {
      if (mode === 'new') {
        await reviewApi.createCoaching({ staffId: v.staffId ?? '', coachedOn: day(v.coachedOn) ?? '', findings: v.findings ?? '', actions: v.actions ?? '', followUpOn: day(v.followUpOn) ?? null });
      } else if (mode === 'edit' && record) {
        await reviewApi.updateCoaching(record.coachingId, { findings: v.findings ?? '', actions: v.actions ?? '', followUpOn: day(v.followUpOn) ?? null });
      } else if (record) {
        await reviewApi.followUp(record.coachingId, v.note ?? '');
      }
      message.success(t('review.coaching.saved'));
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.fields && Object.keys(err.fields).length) {
        form.setFields(Object.entries(err.fields).map(([name, text]) => ({ name: name as keyof CoachingForm, errors: [text] })));
      } else {
        message.error(errorText(err));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={editing !== null}
      title={mode === 'followUp' ? t('review.coaching.followUp') : mode === 'edit' ? t('review.coaching.edit') : t('review.coaching.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('review.coaching.save')}
      cancelText={t('review.coaching.cancel')}
      okButtonProps={{ loading: saving }}
      destroyOnHidden
      width={640}
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        {mode === 'followUp' ? (
          <>
            {record && <CoachingDetails c={record} />}
            <Form.Item name="note" label={t('review.coaching.followUpNote')} rules={[{ required: true, whitespace: true, message: t('review.coaching.followUpNoteRequired') }]} style={{ marginTop: 12 }}>
              <Input.TextArea rows={3} maxLength={500} data-testid="coaching-note" />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name="staffId" label={t('review.coaching.staff')} rules={[{ required: true, message: t('review.coaching.staffRequired') }]}>
              <Select
                disabled={mode === 'edit'}
                showSearch
                optionFilterProp="label"
                options={managers.map((m) => ({ value: m.staff.staffId, label: `${m.staff.name} · ${m.branch.name}` }))}
                data-testid="coaching-staff"
              />
            </Form.Item>
            <Form.Item name="coachedOn" label={t('review.coaching.coachedOn')} rules={[{ required: true, message: t('review.coaching.coachedOnRequired') }]}>
              <DatePicker disabled={mode === 'edit'} disabledDate={(d) => d.isAfter(dayjs(chinaToday()), 'day')} data-testid="coaching-date" />
            </Form.Item>
            <Form.Item name="findings" label={t('review.coaching.findings')} rules={[{ required: true, whitespace: true, message: t('review.coaching.findingsRequired') }]}>
              <Input.TextArea rows={3} maxLength={2000} data-testid="coaching-findings" />
            </Form.Item>
            <Form.Item name="actions" label={t('review.coaching.actions')} rules={[{ required: true, whitespace: true, message: t('review.coaching.actionsRequired') }]}>
              <Input.TextArea rows={3} maxLength={2000} data-testid="coaching-actions" />
            </Form.Item>
            <Form.Item name="followUpOn" label={t('review.coaching.followUpOn')}>
              <DatePicker data-testid="coaching-follow-up-on" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
