import { CloseOutlined, ExperimentOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { SimulationResult } from './policy-simulation.js';
import { useLocalText } from './tier-labels.js';
import { tieringApi, type PolicyVersion, type Simulation } from './tiering.api.js';
import { PublishPolicyModal } from './policy-publish.js';

// A draft of a policy: YAML typed in a plain monospace text area (no editor library: the bank's
// network is closed and the documents are short), simulated on the server, published with a reason.

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
  const [modalOpen, setModalOpen] = useState(false);
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
          <Button type="primary" icon={<SendOutlined />} onClick={() => setModalOpen(true)} disabled={empty} data-testid="publish">
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
      <PublishPolicyModal
        open={modalOpen}
        title={t('policies.publishTitle', { model: text(base.label) })}
        hint={t('policies.publishHint')}
        reasonPlaceholder={t('policies.reasonPlaceholder')}
        publish={(reason, effectiveFrom) => tieringApi.publish(yaml, reason, effectiveFrom)}
        onClose={() => setModalOpen(false)}
        onPublished={(published) => {
          void message.success(t('policies.published', { version: published.version }));
          onPublished(published);
        }}
        onPolicyProblems={setProblems}
      />
    </Card>
  );
}
