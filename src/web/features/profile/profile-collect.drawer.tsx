import { App, Button, DatePicker, Divider, Drawer, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaToday } from '../../app/china-time.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { CONTACT_CHANNEL_LIST, CONTACT_TIME_LIST, profileApi, type ContactChannel, type ContactTime, type Profile, type ProfileBody } from './profile.api.js';

// "Record data the customer gave" (issue 23 §2): one form for the customer's page, the outlet's
// customers to complete and the counter. Core-system fields are sent only when filled in (each is a
// proposal for entry in the core system); Stratum's own fields start from what is recorded and are
// sent only when changed. The server's field errors are shown at their fields.

interface CollectForm {
  phone?: string;
  address?: string;
  birthDate?: Dayjs | null;
  occupation?: string;
  annualIncome?: number | null;
  interests?: string[];
  familyNotes?: string;
  contactTime?: ContactTime | null;
  contactChannel?: ContactChannel | null;
}
type FormField = keyof CollectForm;
const FORM_FIELDS: readonly FormField[] = ['phone', 'address', 'birthDate', 'occupation', 'annualIncome', 'interests', 'familyNotes', 'contactTime', 'contactChannel'];

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What changed, as the API takes it (fields left out stay as they are). */
function bodyOf(v: CollectForm, was: Profile): ProfileBody {
  const body: ProfileBody = {};
  const phone = v.phone?.trim();
  if (phone) body.phone = phone;
  const address = v.address?.trim();
  if (address) body.address = address;
  if (v.birthDate) body.birthDate = v.birthDate.format('YYYY-MM-DD');
  const occupation = v.occupation?.trim();
  if (occupation) body.occupation = occupation;
  if (typeof v.annualIncome === 'number') body.annualIncome = v.annualIncome;
  const interests = [...new Set((v.interests ?? []).map((x) => x.trim()).filter(Boolean))];
  if (!sameList(interests, was.interests)) body.interests = interests;
  const familyNotes = v.familyNotes?.trim() || null;
  if (familyNotes !== was.familyNotes) body.familyNotes = familyNotes;
  const contactTime = v.contactTime ?? null;
  if (contactTime !== was.contactTime) body.contactTime = contactTime;
  const contactChannel = v.contactChannel ?? null;
  if (contactChannel !== was.contactChannel) body.contactChannel = contactChannel;
  return body;
}

function CollectFormBody({ profile, onSaved, onClose }: { profile: Profile; onSaved: (p: Profile) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CollectForm>();
  const [saving, setSaving] = useState(false);
  const submit = async (v: CollectForm) => {
    const body = bodyOf(v, profile);
    if (!Object.keys(body).length) {
      void message.info(t('profile.form.nothing'));
      return;
    }
    setSaving(true);
    try {
      const saved = await profileApi.put(profile.customerId, body);
      void message.success(t('profile.form.saved'));
      onSaved(saved);
    } catch (err) {
      const fields = err instanceof ApiError ? (err.fields ?? {}) : {};
      // the server names the field as the API does (interests.0: the first interest)
      const at = Object.entries(fields).flatMap(([name, text]) => {
        const field = name.split('.')[0] as FormField;
        return FORM_FIELDS.includes(field) ? [{ name: field, errors: [text] }] : [];
      });
      if (at.length) form.setFields(at);
      else void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  const today = dayjs(chinaToday());
  return (
    <Form<CollectForm>
      form={form}
      layout="vertical"
      requiredMark={false}
      onFinish={(v) => void submit(v)}
      initialValues={{ interests: profile.interests, familyNotes: profile.familyNotes ?? '', contactTime: profile.contactTime, contactChannel: profile.contactChannel }}
      data-testid="profile-form"
    >
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('profile.form.coreSection')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('profile.form.coreHint')}</Typography.Paragraph>
      <Form.Item name="phone" label={t('profile.form.phone')}>
        <Input maxLength={20} inputMode="tel" autoComplete="off" data-testid="profile-phone" />
      </Form.Item>
      <Form.Item name="address" label={t('profile.form.address')}>
        <Input maxLength={200} autoComplete="off" data-testid="profile-address" />
      </Form.Item>
      <Form.Item name="birthDate" label={t('profile.form.birthDate')}>
        <DatePicker disabledDate={(d) => d.isAfter(today, 'day')} data-testid="profile-birth-date" />
      </Form.Item>
      <Form.Item name="occupation" label={t('profile.form.occupation')}>
        <Input maxLength={60} autoComplete="off" data-testid="profile-occupation" />
      </Form.Item>
      <Form.Item name="annualIncome" label={t('profile.form.annualIncome')}>
        <InputNumber min={0} precision={2} style={{ width: 220 }} data-testid="profile-income" />
      </Form.Item>
      <Divider />
      <Typography.Title level={5}>{t('profile.form.ownSection')}</Typography.Title>
      <Form.Item name="interests" label={t('profile.form.interests')}>
        <Select mode="tags" maxCount={20} tokenSeparators={[',', '，', '、']} placeholder={t('profile.form.interestsPlaceholder')} data-testid="profile-interests" />
      </Form.Item>
      <Form.Item name="familyNotes" label={t('profile.form.familyNotes')}>
        <Input.TextArea rows={2} maxLength={500} placeholder={t('profile.form.familyPlaceholder')} data-testid="profile-family" />
      </Form.Item>
      <Form.Item name="contactTime" label={t('profile.form.contactTime')}>
        <Select allowClear options={CONTACT_TIME_LIST.map((x) => ({ value: x, label: t(`profile.times.${x}`) }))} data-testid="profile-contact-time" />
      </Form.Item>
      <Form.Item name="contactChannel" label={t('profile.form.contactChannel')}>
        <Select allowClear options={CONTACT_CHANNEL_LIST.map((x) => ({ value: x, label: t(`profile.channels.${x}`) }))} data-testid="profile-contact-channel" />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="profile-save">
          {t('profile.form.save')}
        </Button>
        <Button onClick={onClose}>{t('profile.form.cancel')}</Button>
      </Space>
    </Form>
  );
}

/** The collect form in a drawer for one customer (`customerId` null: closed). */
export function ProfileCollectDrawer({ customerId, name, onClose, onSaved }: { customerId: string | null; name?: string; onClose: () => void; onSaved?: (p: Profile) => void }) {
  const { t, i18n } = useTranslation();
  const current = useApi(`profile-collect/${customerId ?? ''}/${i18n.language}`, (signal) => (customerId ? profileApi.get(customerId, signal) : Promise.resolve(null)));
  const profile = current.data && current.data.customerId === customerId ? current.data : null;
  return (
    <Drawer open={customerId !== null} onClose={onClose} size={520} title={name ? `${t('profile.form.title')} · ${name}` : t('profile.form.title')} destroyOnHidden data-testid="profile-drawer">
      {current.error && <Typography.Text type="danger">{current.error.message}</Typography.Text>}
      {profile && (
        <CollectFormBody
          key={profile.updatedAt ?? 'new'}
          profile={profile}
          onClose={onClose}
          onSaved={(p) => {
            onSaved?.(p);
            onClose();
          }}
        />
      )}
    </Drawer>
  );
}
