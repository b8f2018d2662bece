import { App, Checkbox, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { MANAGER_FACT_LIST, ownershipApi, type ManagerFact } from './ownership.api.js';
import { errorText } from './ownership.parts.js';

interface Values {
  managerFacts: ManagerFact[];
  booksAppointments: boolean;
  note?: string;
}

/** A manager's familiar-customer claim: the manager-side facts they know; the customer-side ones the server checks. */
export function ClaimForm({ open, customerId, onClose, onDone }: { open: boolean; customerId: string; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      const r = await ownershipApi.claim(customerId, v.managerFacts, v.booksAppointments, v.note);
      void message.success(t('ownership.claim.submitted', { n: r.customerFactsMet }));
      onDone();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  return (
    <Modal open={open} title={t('ownership.claim.title')} okText={t('ownership.claim.submit')} onOk={() => void submit()} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ managerFacts: [], booksAppointments: false }}>
        <Form.Item name="managerFacts" label={t('ownership.claim.managerFacts')} rules={[{ type: 'array', min: 1, message: t('ownership.claim.managerFacts') }]}>
          <Checkbox.Group options={MANAGER_FACT_LIST.map((f) => ({ value: f, label: t(`ownership.managerFacts.${f}`) }))} style={{ display: 'grid', gap: 4 }} />
        </Form.Item>
        <Form.Item name="booksAppointments" valuePropName="checked">
          <Checkbox>{t('ownership.claim.appointments')}</Checkbox>
        </Form.Item>
        <Form.Item name="note" label={t('ownership.claim.note')}>
          <Input.TextArea maxLength={500} rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
