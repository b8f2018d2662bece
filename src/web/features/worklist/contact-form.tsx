import { PhoneOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, DatePicker, Form, Input, Modal, Radio, Select, Space, type ButtonProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { CHANNEL_LIST, OUTCOME_LIST, worklistApi, type Channel, type Contact, type Outcome, type ReminderKind } from './worklist.api.js';
import { KindTag } from './worklist.parts.js';
import { chinaToday } from '../../app/china-time.js';

// Quick logging (issue 6: two clicks): the button opens the form already filled in — phone,
// reached, the customer's open reminders ticked — and Save records it. Notes and the next
// contact date are optional.

export interface LinkedReminder {
  event: string;
  occurrence: string;
  kind: ReminderKind;
  summary: string;
}

interface ContactForm {
  channel: Channel;
  outcome: Outcome;
  reminders: string[];
  notes?: string;
  nextContactOn?: Dayjs | null;
}

const keyOf = (r: { event: string; occurrence: string }) => `${r.event}\u0000${r.occurrence}`;

export function LogContactButton({
  customer,
  reminders,
  source,
  onSaved,
  size = 'small',
  type = 'primary',
  label,
  outcome = 'reached',
  testId,
}: {
  customer: { customerId: string; name: string };
  reminders: readonly LinkedReminder[];
  source: 'plan' | 'reminder' | 'customer';
  onSaved?: (contact: Contact) => void;
  size?: ButtonProps['size'];
  type?: ButtonProps['type'];
  /** another wording of the button (e.g. an offer), with the outcome it starts from */
  label?: string;
  outcome?: Outcome;
  testId?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<ContactForm>();
  const id = customer.customerId;

  const save = async (v: ContactForm) => {
    setSaving(true);
    try {
      const picked = new Set(v.reminders);
      const contact = await worklistApi.logContact({
        customerId: id,
        channel: v.channel,
        outcome: v.outcome,
        notes: v.notes?.trim() || undefined,
        nextContactOn: v.nextContactOn ? v.nextContactOn.format('YYYY-MM-DD') : undefined,
        reminders: reminders.filter((r) => picked.has(keyOf(r))).map((r) => ({ event: r.event, occurrence: r.occurrence })),
        source,
      });
      message.success(t('worklist.contact.saved'));
      setOpen(false);
      onSaved?.(contact);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : undefined;
      const known = ['channel', 'outcome', 'notes', 'nextContactOn'] as const;
      const atFields = known.filter((f) => fields?.[f]).map((f) => ({ name: f, errors: [fields?.[f] ?? ''] }));
      if (atFields.length) form.setFields(atFields);
      else message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Button
        size={size}
        type={type}
        icon={<PhoneOutlined />}
        data-testid={testId ?? `log-contact-${id}`}
        onClick={() => setOpen(true)}
      >
        {label ?? t('worklist.contact.button')}
      </Button>
      <Modal
        open={open}
        title={t('worklist.contact.title', { name: customer.name })}
        onCancel={() => setOpen(false)}
        okText={t('worklist.contact.save')}
        cancelText={t('worklist.myDay.cancel')}
        okButtonProps={{ loading: saving, 'data-testid': 'contact-save' } as ButtonProps}
        onOk={() => form.submit()}
        destroyOnHidden
        width={560}
      >
        <Form<ContactForm>
          form={form}
          layout="vertical"
          initialValues={{ channel: 'phone', outcome, reminders: reminders.map(keyOf), notes: '', nextContactOn: null }}
          preserve={false}
          onFinish={(v) => void save(v)} data-testid="contact-form" requiredMark={false}>
          <Form.Item name="channel" label={t('worklist.contact.channel')}>
            <Radio.Group optionType="button" buttonStyle="solid" options={CHANNEL_LIST.map((c) => ({ value: c, label: t(`worklist.channels.${c}`) }))} />
          </Form.Item>
          <Form.Item name="outcome" label={t('worklist.contact.outcome')}>
            <Select style={{ width: 200 }} options={OUTCOME_LIST.map((o) => ({ value: o, label: t(`worklist.outcomes.${o}`) }))} data-testid="contact-outcome" />
          </Form.Item>
          {reminders.length > 0 && (
            <Form.Item name="reminders" label={t('worklist.contact.reminders')}>
              <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
                {reminders.map((r) => (
                  <Checkbox key={keyOf(r)} value={keyOf(r)} data-testid={`contact-reminder-${r.event}`}>
                    <Space size={6}>
                      <KindTag kind={r.kind} />
                      <span>{r.summary}</span>
                    </Space>
                  </Checkbox>
                ))}
              </Checkbox.Group>
            </Form.Item>
          )}
          <Form.Item name="notes" label={t('worklist.contact.notes')}>
            <Input.TextArea rows={2} maxLength={2000} placeholder={t('worklist.contact.notesPlaceholder')} data-testid="contact-notes" />
          </Form.Item>
          <Form.Item name="nextContactOn" label={t('worklist.contact.nextContact')}>
            <DatePicker disabledDate={(d) => d.isBefore(dayjs(chinaToday()), 'day')} data-testid="contact-next" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
