import { Alert, Card, Col, Row, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatWan } from '../customers/money.js';
import { sumYuan } from './tier-figures.js';
import { Wan } from '../customers/money.view.js';
import { MigrationMatrix, type MatrixTier } from './migration-matrix.js';
import { useLocalText } from './tier-labels.js';
import type { LocalLabel, SimulatedModel, Simulation } from './tiering.api.js';
import { SectionTitle } from '../../app/page-title.js';

// What a draft would do: customers and AUM per tier, and who would move from the published tier.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function labelOf(value: unknown): LocalLabel | undefined {
  return isRecord(value) && typeof value.zh === 'string' && typeof value.en === 'string' ? { zh: value.zh, en: value.en } : undefined;
}
function labelled(items: unknown): Map<string, LocalLabel> {
  const out = new Map<string, LocalLabel>();
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const label = isRecord(item) ? labelOf(item.label) : undefined;
    if (isRecord(item) && typeof item.id === 'string' && label) out.set(item.id, label);
  }
  return out;
}

/** The labels of a policy document's tiers (or, for `tags.<group>`, of that group's tags) and of the model or group. */
export function documentLabels(document: Record<string, unknown> | undefined, model: string): { model?: LocalLabel; tiers: Map<string, LocalLabel> } {
  if (!document) return { tiers: new Map() };
  if (model.startsWith('tags.') && Array.isArray(document.groups)) {
    const group = document.groups.find((g) => isRecord(g) && `tags.${String(g.id)}` === model);
    return isRecord(group) ? { model: labelOf(group.label), tiers: labelled(group.tags) } : { tiers: new Map() };
  }
  return { model: labelOf(document.label), tiers: labelled(document.tiers) };
}

interface TierRow {
  tier: string;
  label: string;
  customers: number;
  aum: string;
}

function SimulatedModelView({ model, document }: { model: SimulatedModel; document: Record<string, unknown> | undefined }) {
  const { t } = useTranslation();
  const text = useLocalText();
  const labels = documentLabels(document, model.model);
  const tierLabel = (tier: string) => (tier === 'none' && model.model.startsWith('tags.') ? t('tiers.noTag') : text(labels.tiers.get(tier)) || tier);
  const total = model.tiers.reduce((n, x) => n + x.customers, 0);
  const rows: TierRow[] = model.tiers.map((x) => ({ ...x, label: tierLabel(x.tier) }));
  const matrixTiers: MatrixTier[] = rows.map((r) => ({ tier: r.tier, label: r.label }));
  const columns: TableColumnsType<TierRow> = [
    { key: 'tier', dataIndex: 'label', title: t('policies.tier') },
    { key: 'customers', dataIndex: 'customers', title: t('policies.customers'), align: 'right', render: (n: number) => <span className="money">{n.toLocaleString('en-US')}</span> },
    {
      key: 'share',
      title: t('policies.share'),
      align: 'right',
      render: (_: unknown, r) => <span className="money">{total > 0 ? `${((r.customers / total) * 100).toFixed(1)}%` : '—'}</span>,
    },
    { key: 'aum', dataIndex: 'aum', title: t('policies.aum'), align: 'right', render: (aum: string) => <Wan yuan={aum} /> },
  ];
  const aumTotal = sumYuan(model.tiers.map((x) => x.aum));
  return (
    <div data-model={model.model} style={{ marginBottom: 16 }}>
      <SectionTitle style={{ marginTop: 0 }}>
        {text(labels.model) || model.model}{' '}
        <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
          {model.publishedVersion === null ? t('policies.simNoPublished') : t('policies.simPublished', { version: model.publishedVersion })}
        </Typography.Text>
      </SectionTitle>
      <Alert
        type={model.moved > 0 ? 'warning' : 'info'}
        showIcon
        style={{ marginBottom: 8 }}
        title={<span data-testid="simulation-moved" data-moved={model.moved}>{t('policies.moved', { n: model.moved.toLocaleString('en-US') })}</span>}
      />
      <Row gutter={12}>
        <Col xs={24} xxl={9}>
          <Table<TierRow>
            size="small"
            rowKey="tier"
            columns={columns}
            dataSource={rows}
            pagination={false}
            data-testid="simulation-tiers"
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>{t('matrix.total')}</Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">
                  <span className="money">{total.toLocaleString('en-US')}</span>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={2} />
                <Table.Summary.Cell index={3} align="right">
                  <span className="money">{formatWan(aumTotal)}</span>
                </Table.Summary.Cell>
              </Table.Summary.Row>
            )}
          />
        </Col>
        <Col xs={24} xxl={15}>
          <Typography.Text type="secondary">{t('policies.migration')}</Typography.Text>
          <MigrationMatrix tiers={matrixTiers} cells={model.migration} testId="simulation-matrix" />
        </Col>
      </Row>
    </div>
  );
}

/** Whose customers the figures cover: the whole bank, or the user's branches with those under them. */
function scopeLabel(scope: Simulation['scope']): LocalLabel {
  if (scope.all) return { zh: '统计范围：全行', en: 'Covers: the whole bank' };
  const names = scope.branches.map((b) => b.name);
  return { zh: `统计范围：${names.join('、')}（含下辖机构）`, en: `Covers: ${names.join(', ')} and the branches under ${names.length > 1 ? 'them' : 'it'}` };
}

/** The simulation of a draft; `document` is the published version's, for the tiers' labels. */
export function SimulationResult({ simulation, document }: { simulation: Simulation; document: Record<string, unknown> | undefined }) {
  const { t } = useTranslation();
  const text = useLocalText();
  return (
    <Card
      size="small"
      className="section-card"
      title={t('policies.simResult', { date: simulation.businessDate, n: simulation.customers.toLocaleString('en-US') })}
      extra={
        <Tag color={simulation.scope.all ? 'blue' : 'gold'} data-testid="simulation-scope" data-all={simulation.scope.all}>
          {text(scopeLabel(simulation.scope))}
        </Tag>
      }
      data-testid="simulation-result"
    >
      {simulation.models.map((m) => (
        <SimulatedModelView key={m.model} model={m} document={document} />
      ))}
    </Card>
  );
}
