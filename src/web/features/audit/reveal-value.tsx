import { EyeOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Modal, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { useSession } from '../../app/session.js';
import { auditApi, type RevealableField } from './audit.api.js';

/**
 * A masked value with a "show" action for roles that may reveal it: asks for the reason, then
 * shows the full value until the page is left (it lives in this component's state only; the
 * server answers it with no-store and records the view in the audit trail).
 */
export function RevealValue({ customerId, field, masked }: { customerId: string; field: RevealableField; masked: string | null }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [full, setFull] = useState<string | null | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const allowed = can('pii.reveal') || (field === 'id_number' && can('pii.reveal_id'));
  const fieldName = t(`audit.fieldNames.${field}`);

  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await auditApi.reveal(customerId, [field], reason.trim());
      setFull(r.values[field] ?? null);
      setOpen(false);
    } catch (err) {
      if (err instanceof ApiError && err.fields?.reason) form.setFields([{ name: 'reason', errors: [err.fields.reason] }]);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (full !== undefined) {
    return (
      <Tooltip title={t('audit.reveal.shown')}>
        <span className="money" data-testid={`revealed-${field}`}>{full ?? t('common.none')}</span>
      </Tooltip>
    );
  }
  return (
    <Space size={4}>
      <span className="money" data-testid={`masked-${field}`}>{masked ?? t('common.none')}</span>
      {allowed && masked && (
        <Button
          size="small"
          type="link"
          icon={<EyeOutlined />}
          data-testid={`reveal-${field}`}
          onClick={() => {
            form.resetFields();
            setError(null);
            setOpen(true);
          }}
        >
          {t('audit.reveal.show')}
        </Button>
      )}
      <Modal
        open={open}
        title={t('audit.reveal.title', { field: fieldName })}
        okText={t('audit.reveal.confirm')}
        cancelText={t('audit.reveal.cancel')}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        okButtonProps={{ 'data-testid': `reveal-confirm-${field}` } as Record<string, string>}
        forceRender
      >
        <Typography.Paragraph type="secondary">{t('audit.reveal.explain')}</Typography.Paragraph>
        <Form<{ reason: string }> form={form} layout="vertical" initialValues={{ reason: '' }} onFinish={(v) => void submit(v)}>
          <Form.Item
            name="reason"
            label={t('audit.reveal.reason')}
            rules={[{ required: true, whitespace: true, min: 4, max: 200, message: t('audit.reveal.reasonRequired') }]}
          >
            <Input.TextArea data-testid={`reveal-reason-${field}`} maxLength={200} showCount autoSize={{ minRows: 2, maxRows: 4 }} placeholder={t('audit.reveal.reasonPlaceholder')} />
          </Form.Item>
        </Form>
        {error && <Alert type="error" showIcon title={error} data-testid="reveal-error" />}
      </Modal>
    </Space>
  );
}
