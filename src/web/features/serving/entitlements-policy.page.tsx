import { CheckCircleOutlined, ExperimentOutlined, SendOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Input, Skeleton, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaTime, chinaToday } from '../../app/china-time.js';
import { PageTitle } from '../../app/page-title.js';
import { useSession } from '../../app/session.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { PolicyErrors, problemsOf, type Problems } from '../tiering/policy-draft.js';
import { PublishPolicyModal } from '../tiering/policy-publish.js';
import { servingApi, type EntitlementCheck, type EntitlementPolicies, type EntitlementPolicyVersion, type EntitlementSimulation } from './serving.api.js';

// The service entitlements policy (issue 22 §2): its versions, a draft checked (each problem with
// its line), simulated (customers of one's scope per entitlement, now and under the draft) and,
// for the department, published with a reason and an effective date.

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

type SimRow = EntitlementSimulation['entitlements'][number];

function Versions({ policies }: { policies: EntitlementPolicies }) {
  const { t } = useTranslation();
  const today = chinaToday();
  const rows = [...policies.items].sort((a, b) => b.version - a.version);
  const columns: TableColumnsType<EntitlementPolicyVersion> = [
    {
      key: 'version',
      dataIndex: 'version',
      title: t('serving.entitlementPolicy.col.version'),
      width: 150,
      render: (v: number, row) => (
        <>
          <span className="money">v{v}</span>
          {v === policies.inEffect && (
            <Tag color="green" style={{ marginInlineStart: 6 }} data-testid="entitlement-policy-in-effect">
              {t('serving.entitlementPolicy.inEffect')}
            </Tag>
          )}
          {row.effectiveFrom > today && (
            <Tag color="orange" style={{ marginInlineStart: 6 }}>
              {t('serving.entitlementPolicy.scheduled')}
            </Tag>
          )}
        </>
      ),
    },
    { key: 'effectiveFrom', dataIndex: 'effectiveFrom', title: t('serving.entitlementPolicy.col.effectiveFrom'), width: 120, render: (d: string) => <span className="money" data-testid="entitlement-policy-effective-from">{d}</span> },
    {
      key: 'publishedBy',
      dataIndex: 'publishedBy',
      title: t('serving.entitlementPolicy.col.publishedBy'),
      width: 200,
      render: (by: string, row) => (
        <>
          {by}{' '}
          <Typography.Text type="secondary" className="money">
            {chinaTime(row.publishedAt)}
          </Typography.Text>
        </>
      ),
    },
    { key: 'reason', dataIndex: 'reason', title: t('serving.entitlementPolicy.col.reason'), ellipsis: true },
  ];
  return (
    <Card size="small" className="section-card" title={t('serving.entitlementPolicy.versions')}>
      <Table<EntitlementPolicyVersion>
        size="small"
        rowKey="version"
        columns={columns}
        dataSource={rows}
        pagination={rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
        onRow={(row) => ({ 'data-testid': 'entitlement-policy-version', 'data-version': row.version }) as HTMLAttributes<HTMLElement>}
        data-testid="entitlement-policy-versions"
      />
    </Card>
  );
}

function SimulationTable({ simulation }: { simulation: EntitlementSimulation }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('en') ? 'en' : 'zh';
  const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));
  const columns: TableColumnsType<SimRow> = [
    {
      key: 'label',
      title: t('serving.entitlementPolicy.entitlement'),
      render: (_: unknown, r) => (
        <>
          {r.label[lang]}
          {r.draft === null && (
            <Tag style={{ marginInlineStart: 6 }} color="default">
              {t('serving.entitlementPolicy.notInDraft')}
            </Tag>
          )}
          {r.published === null && (
            <Tag style={{ marginInlineStart: 6 }} color="blue">
              {t('serving.entitlementPolicy.newInDraft')}
            </Tag>
          )}
        </>
      ),
    },
    { key: 'published', title: t('serving.entitlementPolicy.now'), align: 'right', render: (_: unknown, r) => <span className="money" data-testid="sim-published">{count(r.published)}</span> },
    { key: 'draft', title: t('serving.entitlementPolicy.underDraft'), align: 'right', render: (_: unknown, r) => <span className="money" data-testid="sim-draft">{count(r.draft)}</span> },
    {
      key: 'difference',
      title: t('serving.entitlementPolicy.difference'),
      align: 'right',
      render: (_: unknown, r) => {
        const d = (r.draft ?? 0) - (r.published ?? 0);
        const colour = d > 0 ? STATE_HEX.green : d < 0 ? STATE_HEX.red : undefined;
        return (
          <span className="money" data-testid="sim-difference" data-difference={d} style={colour ? { color: colour, fontWeight: 600 } : undefined}>
            {d > 0 ? `+${d.toLocaleString('en-US')}` : d.toLocaleString('en-US')}
          </span>
        );
      },
    },
  ];
  return (
    <Card size="small" className="section-card" style={{ marginTop: 12 }} title={t('serving.entitlementPolicy.simTitle', { n: simulation.customers.toLocaleString('en-US'), version: simulation.publishedVersion })} data-testid="entitlement-simulation">
      <Table<SimRow>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={simulation.entitlements}
        pagination={false}
        onRow={(row) => ({ 'data-testid': `sim-row-${row.id}` }) as HTMLAttributes<HTMLElement>}
      />
    </Card>
  );
}

function Draft({ base, onPublished }: { base: EntitlementPolicyVersion; onPublished: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const canPublish = can('policies.publish');
  const [yaml, setYaml] = useState(base.yaml);
  const [busy, setBusy] = useState<'check' | 'simulate' | null>(null);
  const [problems, setProblems] = useState<Problems | null>(null);
  const [checked, setChecked] = useState(false);
  const [simulation, setSimulation] = useState<EntitlementSimulation | null>(null);
  const [modalOpen, setModalOpen] = useState(false);
  const empty = yaml.trim() === '';

  const edit = (value: string) => {
    setYaml(value);
    setChecked(false);
  };

  const lineText = (p: EntitlementCheck['problems'][number]) => (p.line === null ? t('serving.entitlementPolicy.noLine', { message: p.message }) : t('serving.entitlementPolicy.line', { line: p.line, message: p.message }));

  const check = async () => {
    setBusy('check');
    setProblems(null);
    setChecked(false);
    try {
      const r = await servingApi.checkPolicy(yaml);
      if (r.valid) setChecked(true);
      else setProblems({ message: '', fields: r.problems.map((p) => [p.path, lineText(p)]) });
    } catch (err) {
      setProblems(problemsOf(err));
    } finally {
      setBusy(null);
    }
  };

  const simulate = async () => {
    setBusy('simulate');
    setProblems(null);
    try {
      setSimulation(await servingApi.simulatePolicy(yaml));
    } catch (err) {
      setSimulation(null);
      setProblems(problemsOf(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      size="small"
      className="section-card"
      title={t('serving.entitlementPolicy.draft', { version: base.version })}
      extra={
        <Button size="small" type="text" icon={<UndoOutlined />} onClick={() => edit(base.yaml)} disabled={yaml === base.yaml} data-testid="entitlement-draft-reset">
          {t('serving.entitlementPolicy.reset')}
        </Button>
      }
      data-testid="entitlement-draft"
    >
      <Input.TextArea
        data-testid="entitlement-policy-editor"
        aria-label={t('serving.entitlementPolicy.draft', { version: base.version })}
        value={yaml}
        onChange={(e) => edit(e.target.value)}
        autoSize={{ minRows: 14, maxRows: 40 }}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        status={problems ? 'error' : undefined}
        style={{ fontFamily: MONO, fontSize: 12.5, lineHeight: 1.55 }}
      />
      {problems && <PolicyErrors problems={problems} />}
      {checked && !problems && <Alert type="success" showIcon style={{ marginTop: 8 }} title={<span data-testid="entitlement-policy-valid">{t('serving.entitlementPolicy.valid')}</span>} />}
      <Space style={{ marginTop: 12 }} wrap>
        <Button icon={<CheckCircleOutlined />} onClick={() => void check()} loading={busy === 'check'} disabled={empty} data-testid="entitlement-policy-check">
          {t('serving.entitlementPolicy.check')}
        </Button>
        <Button icon={<ExperimentOutlined />} onClick={() => void simulate()} loading={busy === 'simulate'} disabled={empty} data-testid="entitlement-policy-simulate">
          {t('serving.entitlementPolicy.simulate')}
        </Button>
        {canPublish ? (
          <Button type="primary" icon={<SendOutlined />} onClick={() => setModalOpen(true)} disabled={empty} data-testid="entitlement-policy-publish">
            {t('serving.entitlementPolicy.publish')}
          </Button>
        ) : (
          <Typography.Text type="secondary" data-testid="entitlement-policy-read-only">
            {t('serving.entitlementPolicy.readOnly')}
          </Typography.Text>
        )}
        {empty && <Typography.Text type="danger">{t('serving.entitlementPolicy.empty')}</Typography.Text>}
      </Space>
      {simulation && <SimulationTable simulation={simulation} />}
      {canPublish && (
        <PublishPolicyModal
          open={modalOpen}
          title={t('serving.entitlementPolicy.publishTitle')}
          hint={t('serving.entitlementPolicy.publishHint')}
          reasonPlaceholder={t('serving.entitlementPolicy.reasonPlaceholder')}
          testIdPrefix="entitlement-"
          publish={(reason, effectiveFrom) => servingApi.publishPolicy(yaml, reason, effectiveFrom)}
          onClose={() => setModalOpen(false)}
          onPublished={(published) => {
            void message.success(t('serving.entitlementPolicy.published', { version: published.version, date: published.effectiveFrom }));
            onPublished();
          }}
          onPolicyProblems={setProblems}
        />
      )}
    </Card>
  );
}

/** The service entitlements policy: versions, and a draft to check, simulate and publish. */
export function EntitlementsPolicyPage() {
  const { t } = useTranslation();
  const policies = useApi('entitlement-policies', (signal) => servingApi.policies(signal));
  const data = policies.data;
  const current = data?.items.find((v) => v.version === data.inEffect);

  let body;
  if (policies.error) {
    body = (
      <Alert
        type="error"
        showIcon
        title={policies.error.message}
        action={
          <Button size="small" onClick={policies.reload}>
            {t('app.retry')}
          </Button>
        }
      />
    );
  } else if (!data) body = <Skeleton active paragraph={{ rows: 8 }} />;
  else if (!current) body = <Empty />;
  else
    body = (
      <>
        <Versions policies={data} />
        {/* a new version in effect starts a fresh draft from it */}
        <Draft key={current.version} base={current} onPublished={policies.reload} />
      </>
    );

  return (
    <div data-testid="entitlements-policy-page">
      <div className="page-header">
        <PageTitle>{t('serving.entitlementPolicy.title')}</PageTitle>
      </div>
      <Typography.Paragraph type="secondary">{t('serving.entitlementPolicy.intro')}</Typography.Paragraph>
      {body}
    </div>
  );
}
