import { App, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { NEED_LIST, ownershipApi, type ReferralNeed } from './ownership.api.js';
import { errorText } from './ownership.parts.js';

interface Values {
  customerId: string;
  toStaffId: string;
  need: ReferralNeed;
  reason: string;
}

/**
 * Refer a customer to a manager of the outlet or its pool. From the 360 page the customer is
 * given; from the referrals page the teller types the customer number. `managers` are the
 * outlet's receivers known to the page (the customer's owners on the 360 page); the pool is always there.
 */
export function ReferralForm({ open, customerId, managers, onClose, onDone }: { open: boolean; customerId?: string; managers: { staffId: string; name: string }[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await ownershipApi.refer(customerId ?? v.customerId.trim(), v.toStaffId === 'pool' ? null : v.toStaffId, v.reason, v.need);
      void message.success(t('ownership.referral.submitted'));
      form.resetFields();
      onDone();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  return (
    <Modal open={open} title={t('ownership.referral.title')} okText={t('ownership.referral.submit')} onOk={() => void submit()} onCancel={onClose} okButtonProps={{ 'data-testid': 'referral-submit' }} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ toStaffId: 'pool', need: 'wealth' }} data-testid="referral-form">
        {!customerId && (
          <Form.Item name="customerId" label={t('ownership.referral.customerId')} rules={[{ required: true, whitespace: true, message: t('ownership.referral.customerIdRequired') }]}>
            <Input data-testid="referral-customer" maxLength={40} />
          </Form.Item>
        )}
        <Form.Item name="toStaffId" label={t('ownership.referral.to')}>
          <Select data-testid="referral-to" options={[{ value: 'pool', label: t('ownership.referral.pool') }, ...managers.map((m) => ({ value: m.staffId, label: m.name }))]} />
        </Form.Item>
        <Form.Item name="need" label={t('ownership.referral.need')}>
          <Select data-testid="referral-need" options={NEED_LIST.map((n) => ({ value: n, label: t(`ownership.needs.${n}`) }))} />
        </Form.Item>
        <Form.Item name="reason" label={t('ownership.referral.reason')} rules={[{ required: true, whitespace: true, message: t('ownership.workbench.reasonRequired') }]}>
          <Input.TextArea data-testid="referral-reason" maxLength={500} rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
