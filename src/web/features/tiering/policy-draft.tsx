import { CloseOutlined, ExperimentOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Form, Input, Modal, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { SimulationResult } from './policy-simulation.js';
import { useLocalText } from './tier-labels.js';
import { tieringApi, type PolicyVersion, type Simulation } from './tiering.api.js';
import { chinaToday } from '../../app/china-time.js';

// A draft of a policy: YAML typed in a plain monospace text area (no editor library: the bank's
// network is closed and the documents are short), simulated on the server, published with a reason.

/** Fields of the publish form; every other field of a 400 is a place in the policy document. */
const FORM_FIELDS = ['reason', 'effectiveFrom'] as const;
type FormField = (typeof FORM_FIELDS)[number];
const isFormField = (name: string): name is FormField => (FORM_FIELDS as readonly string[]).includes(name);

interface PublishForm {
  reason: string;
  effectiveFrom: Dayjs | null;
}

export interface Problems {
  message: string;
  fields: [string, string][];
}

export function problemsOf(err: unknown): Problems {
  if (err instanceof ApiError) return { message: err.message, fields: Object.entries(err.fields ?? {}) };
  return { message: err instanceof Error ? err.message : String(err), fields: [] };
}

export function PolicyErrors({ problems }: { problems: Problems }) {
  const { t } = useTranslation();
  const { message, fields } = problems;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginTop: 8 }}
      title={fields.length > 0 ? t('policies.errorsTitle') : message}
      description={
        fields.length > 0 ? (
          <ul className="policy-errors" data-testid="policy-errors" style={{ margin: 0, paddingInlineStart: 18, color: '#cf1322' }}>
            {fields.map(([path, text]) => (
              <li key={path} data-path={path}>
                <code style={{ fontWeight: 600 }}>{path}</code>: {text}
              </li>
            ))}
          </ul>
        ) : (
          <div data-testid="policy-errors" style={{ color: '#cf1322' }}>
            {message}
          </div>
        )
      }
    />
  );
}

interface Props {
  base: PolicyVersion;
  canPublish: boolean;
  onDiscard: () => void;
  onPublished: (version: PolicyVersion) => void;
}

export function PolicyDraft({ base, canPublish, onDiscard, onPublished }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const text = useLocalText();
  const [yaml, setYaml] = useState(base.yaml);
  const [simulating, setSimulating] = useState(false);
  const [simulation, setSimulation] = useState<Simulation | null>(null);
  const [problems, setProblems] = useState<Problems | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [modalOpen, setModalOpen] = useState(false);
  const [modalError, setModalError] = useState<string | null>(null);
  const [form] = Form.useForm<PublishForm>();
  const empty = yaml.trim() === '';

  const simulate = async () => {
    setSimulating(true);
    setProblems(null);
    try {
      setSimulation(await tieringApi.simulate(yaml));
    } catch (err) {
      setSimulation(null);
      setProblems(problemsOf(err));
    } finally {
      setSimulating(false);
    }
  };

  const openPublish = () => {
    setModalError(null);
    form.resetFields();
    setModalOpen(true);
  };

  const publish = async (values: PublishForm) => {
    if (!values.effectiveFrom) return;
    setPublishing(true);
    setModalError(null);
    try {
      const published = await tieringApi.publish(yaml, values.reason, values.effectiveFrom.format('YYYY-MM-DD'));
      setModalOpen(false);
      void message.success(t('policies.published', { version: published.version }));
      onPublished(published);
    } catch (err) {
      const found = problemsOf(err);
      const formErrors = found.fields.filter(([name]) => isFormField(name));
      const policyErrors = found.fields.filter(([name]) => !isFormField(name));
      form.setFields(formErrors.flatMap(([name, text]) => (isFormField(name) ? [{ name, errors: [text] }] : [])));
      if (policyErrors.length > 0) {
        // the document is wrong: show where, under the editor, and let the user correct it
        setProblems({ message: found.message, fields: policyErrors });
        setModalOpen(false);
      } else if (formErrors.length === 0) {
        setModalError(found.message);
      }
    } finally {
      setPublishing(false);
    }
  };

  return (
    <Card
      size="small"
      className="section-card"
      title={t('policies.draftTitle', { version: base.version })}
      extra={
        <Button size="small" type="text" icon={<CloseOutlined />} onClick={onDiscard} data-testid="discard-draft">
          {t('policies.discard')}
        </Button>
      }
      data-testid="policy-draft"
    >
      <Input.TextArea
        data-testid="policy-editor"
        aria-label={t('policies.draftTitle', { version: base.version })}
        className="policy-editor"
        value={yaml}
        onChange={(e) => setYaml(e.target.value)}
        autoSize={{ minRows: 14, maxRows: 32 }}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        status={problems ? 'error' : undefined}
        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace', fontSize: 12.5, lineHeight: 1.55 }}
      />
      {problems && <PolicyErrors problems={problems} />}
      <Space style={{ marginTop: 12 }} wrap>
        <Button icon={<ExperimentOutlined />} onClick={() => void simulate()} loading={simulating} disabled={empty} data-testid="simulate">
          {t('policies.simulate')}
        </Button>
        {canPublish ? (
          <Button type="primary" icon={<SendOutlined />} onClick={openPublish} disabled={empty} data-testid="publish">
            {t('policies.publish')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('policies.readOnlyHint')}</Typography.Text>
        )}
        {empty && <Typography.Text type="danger">{t('policies.draftEmpty')}</Typography.Text>}
      </Space>
      {simulation && (
        <div style={{ marginTop: 12 }}>
          <SimulationResult simulation={simulation} document={base.document} />
        </div>
      )}
      <Modal
        open={modalOpen}
        title={t('policies.publishTitle', { model: text(base.label) })}
        okText={t('policies.confirmPublish')}
        cancelText={t('policies.cancel')}
        confirmLoading={publishing}
        onOk={() => form.submit()}
        onCancel={() => setModalOpen(false)}
        okButtonProps={{ 'data-testid': 'publish-confirm' } as Record<string, string>}
        forceRender
      >
        <Typography.Paragraph type="secondary">{t('policies.publishHint')}</Typography.Paragraph>
        <Form<PublishForm> form={form} layout="vertical" initialValues={{ reason: '', effectiveFrom: dayjs(chinaToday()).add(1, 'day') }} onFinish={(v) => void publish(v)}>
          <Form.Item name="reason" label={t('policies.reason')} rules={[{ required: true, whitespace: true, message: t('policies.reasonRequired') }]}>
            <Input.TextArea data-testid="publish-reason" maxLength={500} showCount autoSize={{ minRows: 2, maxRows: 5 }} placeholder={t('policies.reasonPlaceholder')} />
          </Form.Item>
          <Form.Item name="effectiveFrom" label={t('policies.effectiveFrom')} rules={[{ required: true, message: t('policies.effectiveFromRequired') }]}>
            <DatePicker data-testid="publish-effective-from" style={{ width: 180 }} />
          </Form.Item>
        </Form>
        {modalError && <Alert type="error" showIcon title={modalError} data-testid="publish-error" />}
      </Modal>
    </Card>
  );
}
