import { Card, Table, Tag, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { CardGradeTag } from './customer-tags.js';
import type { Customer360Data } from './customers.api.js';
import { Yuan } from './money.view.js';

type Account = Customer360Data['accounts'][number];
type CardRow = Customer360Data['cards'][number];
type Loan = Customer360Data['loans'][number];

/** 0–30 days to maturity: the manager should call about reinvesting (seed 003: product maturing). */
export const maturesSoon = (a: Account) => a.daysToMaturity !== null && a.daysToMaturity >= 0 && a.daysToMaturity <= 30;

function Dated({ date }: { date: string | null }) {
  return <span className="money">{date ?? '—'}</span>;
}

export function AccountsTable({ accounts }: { accounts: Account[] }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Account> = [
    { key: 'accountId', dataIndex: 'accountId', title: t('customer360.col.accountId'), render: (id: string) => <span className="money">{id}</span> },
    { key: 'kind', dataIndex: 'kind', title: t('customer360.col.kind'), width: 130, render: (k: Account['kind']) => t(`customer360.kind.${k}`) },
    { key: 'product', title: t('customer360.col.product'), ellipsis: true, render: (_: unknown, a) => a.productName ?? a.productCode ?? '—' },
    { key: 'balance', dataIndex: 'balance', title: t('customer360.col.balance'), align: 'right', render: (b: string) => <Yuan yuan={b} /> },
    { key: 'openedOn', dataIndex: 'openedOn', title: t('customer360.col.openedOn'), width: 104, render: (d: string) => <Dated date={d} /> },
    { key: 'maturesOn', dataIndex: 'maturesOn', title: t('customer360.col.maturesOn'), width: 104, render: (d: string | null) => <Dated date={d} /> },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('customer360.col.status'),
      width: 80,
      render: (s: Account['status']) => (s === 'active' ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.closed')}</Tag>),
    },
  ];
  return (
    <Card size="small" title={t('customer360.accounts')} className="section-card">
      <Table<Account>
        size="small"
        rowKey="accountId"
        columns={columns}
        dataSource={accounts}
        pagination={accounts.length > 10 ? { pageSize: 10, size: 'small' } : false}
        rowClassName={(a) => (a.status === 'closed' ? 'row-cancelled' : '')}
        locale={{ emptyText: t('customer360.noAccounts') }}
        data-testid="accounts-table"
        scroll={{ x: 700 }}
      />
    </Card>
  );
}

/** Wealth products (accounts of kind wealth), those maturing within 30 days highlighted. */
export function WealthProductsTable({ accounts }: { accounts: Account[] }) {
  const { t } = useTranslation();
  const wealth = accounts
    .filter((a) => a.kind === 'wealth')
    .sort((a, b) => (a.daysToMaturity ?? Number.MAX_SAFE_INTEGER) - (b.daysToMaturity ?? Number.MAX_SAFE_INTEGER));
  const columns: TableColumnsType<Account> = [
    { key: 'product', title: t('customer360.col.product'), ellipsis: true, render: (_: unknown, a) => a.productName ?? a.productCode ?? a.accountId },
    { key: 'balance', dataIndex: 'balance', title: t('customer360.col.balance'), align: 'right', render: (b: string) => <Yuan yuan={b} /> },
    { key: 'maturesOn', dataIndex: 'maturesOn', title: t('customer360.col.maturesOn'), width: 104, render: (d: string | null) => <Dated date={d} /> },
    {
      key: 'daysToMaturity',
      dataIndex: 'daysToMaturity',
      title: t('customer360.col.daysToMaturity'),
      width: 150,
      render: (n: number | null, a) =>
        n === null ? '—' : n < 0 ? <Tag>{t('customer360.matured')}</Tag> : (
          <>
            <span className="money">{t('customer360.daysLeft', { n })}</span>
            {maturesSoon(a) && (
              <Tag color="orange" style={{ marginInlineStart: 6 }} data-testid="matures-soon">
                {t('customer360.maturesSoon')}
              </Tag>
            )}
          </>
        ),
    },
  ];
  return (
    <Card size="small" title={t('customer360.wealthProducts')} className="section-card">
      <Table<Account>
        size="small"
        rowKey="accountId"
        columns={columns}
        dataSource={wealth}
        pagination={false}
        rowClassName={(a) => (maturesSoon(a) ? 'row-matures-soon' : '')}
        locale={{ emptyText: t('customer360.noWealth') }}
        data-testid="wealth-table"
      />
    </Card>
  );
}

export function CardsTable({ cards }: { cards: CardRow[] }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<CardRow> = [
    { key: 'cardId', dataIndex: 'cardId', title: t('customer360.col.cardId'), render: (id: string) => <span className="money">{id}</span> },
    { key: 'grade', dataIndex: 'grade', title: t('customer360.col.grade'), width: 90, render: (g: CardRow['grade'], c) => <CardGradeTag grade={g} cancelled={c.status === 'cancelled'} /> },
    { key: 'issuedOn', dataIndex: 'issuedOn', title: t('customer360.col.issuedOn'), width: 104, render: (d: string) => <Dated date={d} /> },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('customer360.col.status'),
      width: 150,
      render: (s: CardRow['status'], c) =>
        s === 'active' ? <Tag color="green">{t('customer360.cardActive')}</Tag> : <Tag>{`${t('customer360.cardCancelled')}${c.cancelledOn ? ` ${c.cancelledOn}` : ''}`}</Tag>,
    },
  ];
  return (
    <Card size="small" title={t('customer360.cards')} className="section-card">
      <Table<CardRow>
        size="small"
        rowKey="cardId"
        columns={columns}
        dataSource={cards}
        pagination={false}
        rowClassName={(c) => (c.status === 'cancelled' ? 'row-cancelled' : '')}
        locale={{ emptyText: t('customer360.noCards') }}
        data-testid="cards-table"
      />
    </Card>
  );
}

export function LoansTable({ loans }: { loans: Loan[] }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Loan> = [
    { key: 'loanId', dataIndex: 'loanId', title: t('customer360.col.loanId'), render: (id: string) => <span className="money">{id}</span> },
    { key: 'principal', dataIndex: 'principal', title: t('customer360.col.principal'), align: 'right', render: (v: string) => <Yuan yuan={v} /> },
    { key: 'outstanding', dataIndex: 'outstanding', title: t('customer360.col.outstanding'), align: 'right', render: (v: string) => <Yuan yuan={v} /> },
    { key: 'openedOn', dataIndex: 'openedOn', title: t('customer360.col.openedOn'), width: 104, render: (d: string) => <Dated date={d} /> },
    {
      key: 'overdue',
      dataIndex: 'overdueDays',
      title: t('customer360.col.overdue'),
      width: 130,
      render: (n: number, l) =>
        n > 0 ? (
          <Tag color="red" data-testid="loan-overdue">
            {t('customer360.overdueDays', { n })}
          </Tag>
        ) : l.status === 'repaid' ? (
          <Tag>{t('customer360.loanRepaid')}</Tag>
        ) : (
          <Tag color="green">{t('customer360.notOverdue')}</Tag>
        ),
    },
  ];
  return (
    <Card size="small" title={t('customer360.loans')} className="section-card">
      <Table<Loan>
        size="small"
        rowKey="loanId"
        columns={columns}
        dataSource={loans}
        pagination={false}
        rowClassName={(l) => (l.status === 'repaid' ? 'row-cancelled' : '')}
        locale={{ emptyText: t('customer360.noLoans') }}
        data-testid="loans-table"
      />
    </Card>
  );
}
