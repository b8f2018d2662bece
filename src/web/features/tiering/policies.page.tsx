import { EditOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Empty, Row, Skeleton, Table, Tabs, Tag, type TableColumnsType } from 'antd';
import { useMemo, useState, type HTMLAttributes, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { PolicyDraft } from './policy-draft.js';
import { useLocalText } from './tier-labels.js';
import { tieringApi, type PolicyVersion } from './tiering.api.js';
import { chinaTime, chinaToday } from '../../app/china-time.js';
import { PageTitle } from '../../app/page-title.js';

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

/** The version in effect today: the newest whose effective date has come. */
function inEffect(versions: readonly PolicyVersion[], today: string): number | undefined {
  return versions.filter((v) => v.effectiveFrom <= today).reduce<number | undefined>((best, v) => (best === undefined || v.version > best ? v.version : best), undefined);
}

function ModelPolicies({ versions, onChanged }: { versions: PolicyVersion[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const today = chinaToday();
  const current = inEffect(versions, today);
  const newest = versions[0];
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [draftBase, setDraftBase] = useState<PolicyVersion | null>(null);
  const shown = versions.find((v) => v.version === selected) ?? versions.find((v) => v.version === current) ?? newest;

  const columns: TableColumnsType<PolicyVersion> = [
    {
      key: 'version',
      dataIndex: 'version',
      title: t('policies.col.version'),
      width: 150,
      render: (v: number, row) => (
        <>
          <span className="money">v{v}</span>
          {v === current && (
            <Tag color="green" style={{ marginInlineStart: 6 }}>
              {t('policies.inEffect')}
            </Tag>
          )}
          {row.effectiveFrom > today && (
            <Tag color="orange" style={{ marginInlineStart: 6 }}>
              {t('policies.scheduled')}
            </Tag>
          )}
        </>
      ),
    },
    { key: 'effectiveFrom', dataIndex: 'effectiveFrom', title: t('policies.col.effectiveFrom'), width: 110, render: (d: string) => <span className="money">{d}</span> },
    { key: 'publishedBy', dataIndex: 'publishedBy', title: t('policies.col.publishedBy'), width: 110 },
    { key: 'publishedAt', dataIndex: 'publishedAt', title: t('policies.col.publishedAt'), width: 150, render: (at: string) => <span className="money">{chinaTime(at)}</span> },
    { key: 'reason', dataIndex: 'reason', title: t('policies.col.reason'), ellipsis: true },
  ];

  if (!shown) return <Empty description={t('policies.empty')} />;
  return (
    <>
      <Card size="small" className="section-card" title={t('policies.versions')}>
        <Table<PolicyVersion>
          className="clickable-rows"
          size="small"
          rowKey="version"
          columns={columns}
          dataSource={versions}
          pagination={versions.length > 10 ? { pageSize: 10, size: 'small' } : false}
          onRow={(row) =>
            ({
              onClick: () => setSelected(row.version),
              // the keyboard too: Tab to a version, Enter or Space shows it
              tabIndex: 0,
              onKeyDown: (e: KeyboardEvent) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  setSelected(row.version);
                }
              },
              'data-testid': 'policy-version-row',
              'data-version': row.version,
            }) as HTMLAttributes<HTMLElement>
          }
          rowClassName={(row) => (row.version === shown.version ? 'ant-table-row-selected' : '')}
          data-testid="policy-versions"
        />
      </Card>
      <Row gutter={12}>
        <Col xs={24} xxl={draftBase ? 10 : 24}>
          <Card
            size="small"
            className="section-card"
            title={t('policies.versionContent', { version: shown.version })}
            extra={
              <Button size="small" icon={<EditOutlined />} onClick={() => setDraftBase(shown)} data-testid="edit-draft">
                {t('policies.editDraft')}
              </Button>
            }
          >
            <pre data-testid="policy-yaml" data-version={shown.version} tabIndex={0} aria-label={t('policies.versionContent', { version: shown.version })} style={{ fontFamily: MONO, fontSize: 12.5, lineHeight: 1.55, margin: 0, maxHeight: 520, overflow: 'auto', background: '#fafafa', padding: 12, borderRadius: 4 }}>
              {shown.yaml}
            </pre>
          </Card>
        </Col>
        {draftBase && (
          <Col xs={24} xxl={14}>
            <PolicyDraft
              key={`${draftBase.model}/${draftBase.version}`}
              base={draftBase}
              canPublish={can('policies.publish')}
              onDiscard={() => setDraftBase(null)}
              onPublished={(published) => {
                setDraftBase(null);
                setSelected(published.version);
                onChanged();
              }}
            />
          </Col>
        )}
      </Row>
    </>
  );
}

/** The tiering policies: each model's versions, a version's YAML, and drafts to simulate and publish. */
export function PoliciesPage() {
  const { t } = useTranslation();
  const text = useLocalText();
  const [params, setParams] = useSearchParams();
  const policies = useApi('policies', (signal) => tieringApi.policies(signal));
  // one tab per model, its versions newest first
  const models = useMemo(() => {
    const byModel = new Map<string, PolicyVersion[]>();
    for (const v of policies.data?.items ?? []) byModel.set(v.model, [...(byModel.get(v.model) ?? []), v]);
    return [...byModel.entries()].map(([model, versions]) => ({ model, versions: versions.sort((a, b) => b.version - a.version) }));
  }, [policies.data]);
  const active = models.find((m) => m.model === params.get('model'))?.model ?? models[0]?.model;

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
  } else if (!policies.data) body = <Skeleton active paragraph={{ rows: 8 }} />;
  else if (models.length === 0) body = <Empty description={t('policies.empty')} />;
  else
    body = (
      <Tabs
        activeKey={active}
        onChange={(model) => setParams({ model }, { replace: true })}
        data-testid="policy-models"
        items={models.map((m) => ({
          key: m.model,
          label: <span data-testid={`policy-tab-${m.model}`}>{text(m.versions[0]?.label) || m.model}</span>,
          children: <ModelPolicies versions={m.versions} onChanged={policies.reload} />,
        }))}
      />
    );

  return (
    <div data-testid="policies-page">
      <div className="page-header">
        <PageTitle>{t('policies.title')}</PageTitle>
      </div>
      <Card size="small" variant="borderless">
        {body}
      </Card>
    </div>
  );
}
