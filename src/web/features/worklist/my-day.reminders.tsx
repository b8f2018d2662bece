import { CheckOutlined, ClockCircleOutlined, CloseOutlined } from '@ant-design/icons';
import { App, Badge, Button, DatePicker, Empty, Form, Input, Modal, Space, Table, Tabs, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { LogContactButton } from './contact-form.js';
import { KIND_LIST, worklistApi, type Reminder, type ReminderAction, type ReminderKind, type Reminders } from './worklist.api.js';
import { CustomerCell, KIND_COLOR, KIND_HEX, useEventName } from './worklist.parts.js';
import { chinaToday } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { SignReminderButton } from '../selling/sign-dialog.js';
import { ReminderOpportunityButton } from '../opportunities/reminder-opportunity.js';
import { NoCustomerAction, NoCustomerCell } from '../review/reminder-coaching.js';

// The reminders of "My day", one tab per kind of seed 003 with its count. Done closes a reminder;
// dismissing asks why (required, at the field); snoozing asks until when. For service-only
// customers the reminder stays, but the offer is disabled with the reason.

const keyOf = (r: Reminder) => `${r.customer?.customerId ?? ''}/${r.event}/${r.occurrence}`;
/** what the row's test ids name: the customer, or (a reminder about no customer) its occurrence */
const rowId = (r: Reminder) => r.customer?.customerId ?? r.occurrence;

type Asking = { mode: 'dismiss' | 'snooze'; reminder: Reminder } | null;

/** how far ahead a reminder may be snoozed (the API's SNOOZE_MAX_DAYS) */
const SNOOZE_MAX_DAYS = 90;

/**
 * The dates a reminder may be snoozed to: after the API's today (the latest business date, not
 * the browser's clock) and at most SNOOZE_MAX_DAYS ahead, as the API checks them.
 */
function snoozeDisabled(asOf: string | null | undefined): (d: Dayjs) => boolean {
  const today = dayjs(asOf ?? chinaToday());
  const latest = today.add(SNOOZE_MAX_DAYS, 'day');
  return (d) => !d.isAfter(today, 'day') || d.isAfter(latest, 'day');
}

function AskDialog({ asking, asOf, onClose, onDone }: { asking: Asking; asOf: string | null | undefined; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason?: string; until?: Dayjs | null }>();
  const [saving, setSaving] = useState(false);
  const mode = asking?.mode ?? 'dismiss';
  const submit = async (v: { reason?: string; until?: Dayjs | null }) => {
    if (!asking) return;
    const body: ReminderAction = mode === 'dismiss' ? { action: 'dismiss', reason: (v.reason ?? '').trim() } : { action: 'snooze', until: v.until ? v.until.format('YYYY-MM-DD') : '' };
    setSaving(true);
    try {
      await worklistApi.act({ customerId: asking.reminder.customer?.customerId ?? '', event: asking.reminder.event, occurrence: asking.reminder.occurrence }, body);
      onDone();
    } catch (err) {
      const field = mode === 'dismiss' ? 'reason' : 'until';
      const text = err instanceof ApiError ? (err.fields?.[field] ?? errorText(err)) : errorText(err);
      form.setFields([{ name: field, errors: [text] }]);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={asking !== null}
      title={mode === 'dismiss' ? t('worklist.myDay.dismissTitle') : t('worklist.myDay.snoozeTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('worklist.myDay.confirm')}
      cancelText={t('worklist.myDay.cancel')}
      okButtonProps={{ loading: saving }}
      destroyOnHidden
    >
      {asking && <Typography.Paragraph type="secondary">{asking.reminder.summary}</Typography.Paragraph>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        {mode === 'dismiss' ? (
          <Form.Item name="reason" label={t('worklist.myDay.dismissReason')} rules={[{ required: true, whitespace: true, message: t('worklist.myDay.reasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={200} placeholder={t('worklist.myDay.dismissPlaceholder')} data-testid="dismiss-reason" />
          </Form.Item>
        ) : (
          <Form.Item name="until" label={t('worklist.myDay.snoozeUntil')} rules={[{ required: true, message: t('worklist.myDay.snoozeRequired') }]}>
            <DatePicker disabledDate={snoozeDisabled(asOf)} defaultPickerValue={asOf ? dayjs(asOf).add(1, 'day') : undefined} data-testid="snooze-until" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function OfferAction({ reminder, onSaved }: { reminder: Reminder; onSaved: () => void }) {
  const { t } = useTranslation();
  const c = reminder.customer;
  if (!c) return null;
  if (!reminder.marketingAllowed) {
    return (
      <Tooltip title={t('worklist.common.serviceOnlyHint', { reason: c.serviceOnlyReason ?? '' })}>
        <Button size="small" disabled data-testid={`offer-disabled-${c.customerId}`}>
          {t('worklist.myDay.offer')}
        </Button>
      </Tooltip>
    );
  }
  return (
    <LogContactButton
      customer={c}
      reminders={[{ event: reminder.event, occurrence: reminder.occurrence, kind: reminder.kind, summary: reminder.summary }]}
      source="reminder"
      type="default"
      label={t('worklist.myDay.offer')}
      outcome="interested"
      testId={`offer-${c.customerId}-${reminder.event}`}
      onSaved={onSaved}
    />
  );
}

/** The open reminders of one kind, a page at a time (the tab shown); the counts of every kind come with it. */
export const REMINDERS_PAGE_SIZE = 10;

export function RemindersPanel({
  reminders,
  loading,
  onChanged,
  tab,
  onTab,
  page,
  onPage,
}: {
  reminders: Reminders | undefined;
  loading: boolean;
  onChanged: () => void;
  tab: ReminderKind;
  onTab: (kind: ReminderKind) => void;
  page: number;
  onPage: (page: number) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const eventName = useEventName();
  const { can } = useSession();
  const [asking, setAsking] = useState<Asking>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const done = async (r: Reminder) => {
    setBusy(keyOf(r));
    try {
      await worklistApi.act({ customerId: r.customer?.customerId ?? '', event: r.event, occurrence: r.occurrence }, { action: 'done' });
      message.success(t('worklist.myDay.closed'));
      onChanged();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<Reminder> = [
    { key: 'event', title: t('worklist.common.event'), width: 130, render: (_, r) => <Tag color={KIND_COLOR[r.kind]} variant="outlined">{eventName(r.event)}</Tag> },
    { key: 'customer', title: t('worklist.common.customer'), width: 330, render: (_, r) => (r.customer ? <CustomerCell customer={r.customer} /> : <NoCustomerCell reminder={r} />) },
    { key: 'summary', title: t('worklist.common.summary'), render: (_, r) => <span data-testid={`reminder-summary-${rowId(r)}-${r.event}`}>{r.summary}</span> },
    { key: 'due', title: t('worklist.common.due'), width: 100, render: (_, r) => <span className="money">{r.dueOn}</span> },
    {
      key: 'actions',
      title: t('worklist.plan.actions'),
      width: 330,
      render: (_, r) => {
        const customer = r.customer;
        // a reminder about no customer (a coaching follow-up): its page closes it
        if (!customer) return <NoCustomerAction reminder={r} />;
        return (
        <Space size={4} wrap>
          <LogContactButton customer={customer} reminders={[{ event: r.event, occurrence: r.occurrence, kind: r.kind, summary: r.summary }]} source="reminder" onSaved={onChanged} testId={`reminder-log-${customer.customerId}-${r.event}`} />
          {r.kind === 'opportunity' && <OfferAction reminder={r} onSaved={onChanged} />}
          {/* a customer who reached a card's standard: sign (issue 19); the reminder closes once signed or sent for approval */}
          {r.event === 'vip_card_due' && can('signings.request') && (
            <SignReminderButton
              customerId={customer.customerId}
              grade={typeof r.facts.grade === 'string' ? r.facts.grade : undefined}
              onSigned={() => void worklistApi.act({ customerId: customer.customerId, event: r.event, occurrence: r.occurrence }, { action: 'done' }).catch(() => undefined).finally(onChanged)}
              testId={`reminder-sign-${customer.customerId}`}
            />
          )}
          {/* an opportunity (商机, issue 19) from the reminder in one click; the reminder closes */}
          {can('opportunities.own') && <ReminderOpportunityButton reminder={{ ...r, customer }} onCreated={onChanged} />}
          <Button size="small" icon={<CheckOutlined />} loading={busy === keyOf(r)} onClick={() => void done(r)} data-testid={`reminder-done-${customer.customerId}-${r.event}`}>
            {t('worklist.myDay.done')}
          </Button>
          <Button size="small" icon={<CloseOutlined />} onClick={() => setAsking({ mode: 'dismiss', reminder: r })} data-testid={`reminder-dismiss-${customer.customerId}-${r.event}`}>
            {t('worklist.myDay.dismiss')}
          </Button>
          <Button size="small" icon={<ClockCircleOutlined />} onClick={() => setAsking({ mode: 'snooze', reminder: r })} data-testid={`reminder-snooze-${customer.customerId}-${r.event}`}>
            {t('worklist.myDay.snooze')}
          </Button>
        </Space>
        );
      },
    },
  ];

  const items = reminders?.items ?? [];
  return (
    <>
      <Tabs
        activeKey={tab}
        onChange={(k) => onTab(k as ReminderKind)}
        items={KIND_LIST.map((kind) => ({
          key: kind,
          label: (
            <span data-testid={`reminder-tab-${kind}`}>
              {t(`worklist.kinds.${kind}`)}{' '}
              <Badge count={reminders?.counts[kind] ?? 0} showZero color={KIND_HEX[kind]} overflowCount={999} data-testid={`reminder-count-${kind}`} />
            </span>
          ),
          children: (
            <Table<Reminder>
              size="small"
              rowKey={keyOf}
              loading={loading}
              columns={columns}
              dataSource={items.filter((r) => r.kind === kind)}
              onRow={(r) => ({ 'data-testid': `reminder-${rowId(r)}-${r.event}` }) as React.HTMLAttributes<HTMLElement>}
              pagination={{ current: page, pageSize: REMINDERS_PAGE_SIZE, total: reminders?.total ?? 0, hideOnSinglePage: true, showSizeChanger: false, onChange: onPage }}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('worklist.myDay.noReminders')} /> }}
              scroll={{ x: 1000 }}
            />
          ),
        }))}
      />
      <AskDialog
        asking={asking}
        asOf={reminders?.asOf}
        onClose={() => setAsking(null)}
        onDone={() => {
          setAsking(null);
          message.success(t('worklist.myDay.closed'));
          onChanged();
        }}
      />
    </>
  );
}
