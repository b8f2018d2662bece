import { Alert, Form, Input, Modal, DatePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaToday } from '../../app/china-time.js';
import { problemsOf, type Problems } from './policy-draft.js';

// Publishing a draft of any versioned policy (the tier models, the service entitlements): a reason
// and an effective date (tomorrow by default). A 400 on `reason` or `effectiveFrom` is shown on that
// field; any other field of a 400 is a place in the policy document and goes back under the editor.

/** Fields of the publish form; every other field of a 400 is a place in the policy document. */
const FORM_FIELDS = ['reason', 'effectiveFrom'] as const;
type FormField = (typeof FORM_FIELDS)[number];
const isFormField = (name: string): name is FormField => (FORM_FIELDS as readonly string[]).includes(name);

interface PublishForm {
  reason: string;
  effectiveFrom: Dayjs | null;
}

interface Props<V> {
  open: boolean;
  title: ReactNode;
  /** What publishing changes, above the form. */
  hint: ReactNode;
  reasonPlaceholder: string;
  /** Prefix of the test ids: `publish-confirm`, `publish-reason`, `publish-effective-from`, `publish-error`. */
  testIdPrefix?: string;
  publish: (reason: string, effectiveFrom: string) => Promise<V>;
  onClose: () => void;
  onPublished: (version: V) => void;
  /** The server found the document itself wrong: the modal closes and these go under the editor. */
  onPolicyProblems: (problems: Problems) => void;
}

export function PublishPolicyModal<V>({ open, title, hint, reasonPlaceholder, testIdPrefix = '', publish, onClose, onPublished, onPolicyProblems }: Props<V>) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PublishForm>();
  const [publishing, setPublishing] = useState(false);
  const [modalError, setModalError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setModalError(null);
    form.resetFields();
  }, [open, form]);

  const submit = async (values: PublishForm) => {
    if (!values.effectiveFrom) return;
    setPublishing(true);
    setModalError(null);
    try {
      const published = await publish(values.reason, values.effectiveFrom.format('YYYY-MM-DD'));
      onClose();
      onPublished(published);
    } catch (err) {
      const found = problemsOf(err);
      const formErrors = found.fields.filter(([name]) => isFormField(name));
      const policyErrors = found.fields.filter(([name]) => !isFormField(name));
      form.setFields(formErrors.flatMap(([name, text]) => (isFormField(name) ? [{ name, errors: [text] }] : [])));
      if (policyErrors.length > 0) {
        onPolicyProblems({ message: found.message, fields: policyErrors });
        onClose();
      } else if (formErrors.length === 0) {
        setModalError(found.message);
      }
    } finally {
      setPublishing(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      okText={t('policies.confirmPublish')}
      cancelText={t('policies.cancel')}
      confirmLoading={publishing}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': `${testIdPrefix}publish-confirm` } as Record<string, string>}
      forceRender
    >
      <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>
      <Form<PublishForm> form={form} layout="vertical" initialValues={{ reason: '', effectiveFrom: dayjs(chinaToday()).add(1, 'day') }} onFinish={(v) => void submit(v)}>
        <Form.Item name="reason" label={t('policies.reason')} rules={[{ required: true, whitespace: true, message: t('policies.reasonRequired') }]}>
          <Input.TextArea data-testid={`${testIdPrefix}publish-reason`} maxLength={500} showCount autoSize={{ minRows: 2, maxRows: 5 }} placeholder={reasonPlaceholder} />
        </Form.Item>
        <Form.Item name="effectiveFrom" label={t('policies.effectiveFrom')} rules={[{ required: true, message: t('policies.effectiveFromRequired') }]}>
          <DatePicker data-testid={`${testIdPrefix}publish-effective-from`} style={{ width: 180 }} />
        </Form.Item>
      </Form>
      {modalError && <Alert type="error" showIcon title={modalError} data-testid={`${testIdPrefix}publish-error`} />}
    </Modal>
  );
}
