import { Table, Typography, type TableColumnsType } from 'antd';
import type { CSSProperties, TdHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { MigrationCell } from './tiering.api.js';

// A migration matrix: one row per tier customers came from (and "no tier before"), one column
// per tier they went to. Customers who moved are off the diagonal, highlighted.

export interface MatrixTier {
  tier: string;
  label: string;
}

interface Row {
  key: string;
  from: string | null;
  label: string;
  counts: Map<string, number>;
  total: number;
}

const NO_TIER = '__none__';
const CELL_STYLE: Record<'stay' | 'moved' | 'empty', CSSProperties> = {
  stay: { background: '#f0f5ff', fontWeight: 600 },
  moved: { background: '#fff2e8', color: '#ad4e00' },
  empty: { color: 'rgba(0,0,0,0.6)' },
};

/** Customers off the diagonal: in a tier before and in another after (first tiers are not moves). */
export function movedCount(cells: readonly MigrationCell[]): number {
  return cells.reduce((n, c) => (c.from !== null && c.from !== c.to ? n + c.customers : n), 0);
}

function rowsOf(tiers: readonly MatrixTier[], cells: readonly MigrationCell[], noTier: string, removed: string): Row[] {
  const known = new Set(tiers.map((t) => t.tier));
  const fromIds: (string | null)[] = tiers.map((t) => t.tier);
  for (const c of cells) if (!fromIds.includes(c.from)) fromIds.push(c.from);
  return fromIds.map((from) => {
    const counts = new Map<string, number>();
    for (const c of cells) if (c.from === from) counts.set(c.to, (counts.get(c.to) ?? 0) + c.customers);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const label = from === null ? noTier : known.has(from) ? (tiers.find((t) => t.tier === from)?.label ?? from) : `${from} ${removed}`;
    return { key: from ?? NO_TIER, from, label, counts, total };
  });
}

interface Props {
  tiers: readonly MatrixTier[];
  cells: readonly MigrationCell[];
  testId: string;
}

export function MigrationMatrix({ tiers, cells, testId }: Props) {
  const { t } = useTranslation();
  const rows = rowsOf(tiers, cells, t('tiers.newcomer'), t('tiers.removed'))
    // a "no tier before" row or a removed tier with nobody in it says nothing
    .filter((r) => r.total > 0 || tiers.some((tier) => tier.tier === r.from));
  const toTiers = [...tiers];
  for (const c of cells) if (!toTiers.some((x) => x.tier === c.to)) toTiers.push({ tier: c.to, label: c.to });

  const columns: TableColumnsType<Row> = [
    {
      key: 'from',
      title: t('matrix.corner'),
      dataIndex: 'label',
      fixed: 'left',
      width: 150,
      render: (label: string) => <Typography.Text strong>{label}</Typography.Text>,
    },
    ...toTiers.map((to) => ({
      key: `to:${to.tier}`,
      title: to.label,
      align: 'right' as const,
      onCell: (row: Row) => {
        const n = row.counts.get(to.tier) ?? 0;
        const diagonal = row.from === to.tier;
        const kind = diagonal ? 'stay' : n > 0 ? 'moved' : 'empty';
        const props: TdHTMLAttributes<HTMLTableCellElement> & Record<`data-${string}`, string | number> = {
          className: `matrix__cell matrix__cell--${kind}`,
          style: CELL_STYLE[kind],
          'data-from': row.from ?? '',
          'data-to': to.tier,
          'data-count': n,
        };
        return props;
      },
      render: (_: unknown, row: Row) => {
        const n = row.counts.get(to.tier) ?? 0;
        return <span className="money">{n === 0 ? '·' : n.toLocaleString('en-US')}</span>;
      },
    })),
    {
      key: 'total',
      title: t('matrix.total'),
      align: 'right',
      width: 90,
      render: (_: unknown, row) => <span className="money">{row.total.toLocaleString('en-US')}</span>,
    },
  ];
  return (
    <Table<Row>
      size="small"
      bordered
      rowKey="key"
      className="matrix"
      columns={columns}
      dataSource={rows}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('matrix.empty') }}
      data-testid={testId}
    />
  );
}
