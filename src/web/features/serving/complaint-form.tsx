import { App, Form, Input, Modal, Radio, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { CustomerSearch } from '../customers/customer-search.js';
import { errorText } from '../ownership/ownership.parts.js';
import { CATEGORIES, CHANNELS, complaintsApi, type Category, type Complaint, type ComplaintDetail } from './complaints.api.js';

interface Values {
  channel: Complaint['channel'];
  who: 'customer' | 'person';
  customerId?: string;
  personName?: string;
  personPhone?: string;
  category: Category;
  description: string;
  receivedAt?: string;
}

/** Customers matching what was typed (name, number, phone tail), within the user's scope; a customer number as typed too. */
function ComplaintCustomer({ value, onChange }: { value?: string; onChange?: (v: string) => void }) {
  const { t } = useTranslation();
  return (
    <CustomerSearch
      {...(value !== undefined ? { value } : {})}
      {...(onChange ? { onChange } : {})}
      placeholder={t('complaints.form.customerSearch')}
      ariaLabel={t('complaints.form.customer')}
      testId="complaint-customer"
      typedNumberLabel={(id) => t('complaints.form.byNumber', { id })}
    />
  );
}

/**
 * Record a complaint: from the complaints page (a customer searched for, or a non-customer's name
 * and phone) or from the 360 page (the customer given). Answers with the due times in China time.
 */
export function ComplaintForm({ open, customerId, onClose, onDone }: { open: boolean; customerId?: string; onClose: () => void; onDone: (c: ComplaintDetail) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const who = Form.useWatch('who', form);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      const c = await complaintsApi.create({
        channel: v.channel,
        category: v.category,
        description: v.description.trim(),
        ...(customerId ? { customerId } : v.who === 'customer' ? { customerId: v.customerId } : { personName: v.personName?.trim(), personPhone: v.personPhone?.trim() }),
        ...(v.receivedAt?.trim() ? { receivedAt: v.receivedAt.trim() } : {}),
      });
      void message.success(t('complaints.form.saved', { response: chinaTime(c.first_response_due), resolution: chinaTime(c.resolution_due) }), 8);
      form.resetFields();
      onDone(c);
    } catch (err) {
      if (err instanceof ApiError && err.fields && Object.keys(err.fields).length) {
        form.setFields(Object.entries(err.fields).map(([name, text]) => ({ name: name as keyof Values, errors: [text] })));
      }
      void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('complaints.form.title')}
      okText={t('complaints.form.submit')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'complaint-submit' }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ channel: 'counter', who: 'customer', category: 'service' }} data-testid="complaint-form">
        <Form.Item name="channel" label={t('complaints.form.channel')}>
          <Select data-testid="complaint-channel" options={CHANNELS.map((c) => ({ value: c, label: t(`complaints.channels.${c}`) }))} />
        </Form.Item>
        {!customerId && (
          <Form.Item name="who" label={t('complaints.form.who')}>
            <Radio.Group data-testid="complaint-who">
              <Radio value="customer">{t('complaints.form.isCustomer')}</Radio>
              <Radio value="person" data-testid="complaint-who-person">{t('complaints.form.notCustomer')}</Radio>
            </Radio.Group>
          </Form.Item>
        )}
        {!customerId && who !== 'person' && (
          <Form.Item name="customerId" label={t('complaints.form.customer')} rules={[{ required: true, message: t('complaints.form.customerRequired') }]}>
            <ComplaintCustomer />
          </Form.Item>
        )}
        {!customerId && who === 'person' && (
          <>
            <Form.Item name="personName" label={t('complaints.form.personName')} rules={[{ required: true, whitespace: true, message: t('complaints.form.personNameRequired') }]}>
              <Input maxLength={60} data-testid="complaint-person-name" />
            </Form.Item>
            <Form.Item name="personPhone" label={t('complaints.form.personPhone')} rules={[{ required: true, whitespace: true, message: t('complaints.form.personPhoneRequired') }]}>
              <Input maxLength={20} inputMode="tel" data-testid="complaint-person-phone" />
            </Form.Item>
          </>
        )}
        <Form.Item name="category" label={t('complaints.form.category')}>
          <Select data-testid="complaint-category" options={CATEGORIES.map((c) => ({ value: c, label: t(`complaints.categories.${c}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('complaints.form.description')} rules={[{ required: true, whitespace: true, message: t('complaints.form.descriptionRequired') }]}>
          <Input.TextArea rows={4} maxLength={2000} data-testid="complaint-description" />
        </Form.Item>
        <Form.Item name="receivedAt" label={t('complaints.form.receivedAt')}>
          <Input placeholder="2026-12-05T09:30" maxLength={40} data-testid="complaint-received-at" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
