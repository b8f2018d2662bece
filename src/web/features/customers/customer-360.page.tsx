import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Result, Row, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { CustomerOwnershipCard } from '../ownership/customer-ownership.card.js';
import { CustomerTiersCard } from '../tiering/customer-tiers.card.js';
import { CustomerTimelineCard } from '../worklist/customer-timeline.card.js';
import { SuitableProductsCard } from '../selling/suitable-products.card.js';
import { VipSigningCard } from '../selling/vip-signing.card.js';
import { CustomerOpportunitiesCard } from '../opportunities/customer-opportunities.card.js';
import { CustomerFeedbackCard } from '../review/customer-feedback.card.js';
import { CustomerEntitlementsCard } from '../serving/entitlements.card.js';
import { CustomerComplaintsCard } from '../serving/customer-complaints.card.js';
import { CustomerProfileCard } from '../profile/customer-profile.card.js';
import { AumHistoryChart, AumSummary } from './customer-360.aum.js';
import { AccountsTable, CardsTable, LoansTable, WealthProductsTable } from './customer-360.holdings.js';
import { CustomerProfile } from './customer-360.profile.js';
import { CustomerHouseholdCard } from './customer-household.card.js';
import { TransactionsTable } from './customer-360.transactions.js';
import { CardGradeTag, RiskLevelTag } from './customer-tags.js';
import { customersApi, type Customer360Data } from './customers.api.js';

const VIP_ORDER = ['diamond', 'platinum', 'gold'] as const;

/** The best active VIP card, shown in the header. */
function vipCardOf(cards: Customer360Data['cards']) {
  return VIP_ORDER.find((grade) => cards.some((c) => c.grade === grade && c.status === 'active'));
}

/** Back to the list with the filters it had, when we came from it. */
function useBackLink(): string {
  const location = useLocation();
  const state: unknown = location.state;
  const search = typeof state === 'object' && state !== null && 'listSearch' in state && typeof state.listSearch === 'string' ? state.listSearch : '';
  return `/customers${search}`;
}

function Header({ customer, back }: { customer: Customer360Data; back: string }) {
  const { t } = useTranslation();
  const { profile } = customer;
  const vip = vipCardOf(customer.cards);
  return (
    <Card size="small" className="section-card" data-testid="customer-header">
      <Link to={back} data-testid="back-to-list">
        <ArrowLeftOutlined /> {t('customer360.backToList')}
      </Link>
      <div className="customer-header__title" style={{ marginTop: 8 }}>
        <PageTitle large testId="customer-name">
          {profile.name}
        </PageTitle>
        <Typography.Text type="secondary">
          {t('customer360.customerId')} <span className="money" data-testid="customer-id">{profile.customerId}</span>
        </Typography.Text>
        {profile.riskLevel && <RiskLevelTag level={profile.riskLevel} />}
        {vip && <CardGradeTag grade={vip} />}
        {profile.doNotDisturb && (
          <Tag color="red" data-testid="do-not-disturb">
            {t('customer360.doNotDisturb')}
          </Tag>
        )}
        {profile.status === 'left' && <Tag>{t('customer360.left')}</Tag>}
        <Typography.Text type="secondary">{profile.branch.name}</Typography.Text>
      </div>
    </Card>
  );
}

/** Everything the bank knows about one customer, within the user's scope. */
export function Customer360Page() {
  const { t, i18n } = useTranslation();
  const { customerId = '' } = useParams();
  const back = useBackLink();
  const customer = useApi(`customer/${customerId}/${i18n.language}`, (signal) => customersApi.get(customerId, signal));

  if (customer.error && (customer.error.status === 404 || customer.error.code === 'not_found')) {
    return (
      <Result
        status="404"
        title={<PageTitle>{t('customer360.notFound')}</PageTitle>}
        data-testid="customer-not-found"
        extra={
          <Link to={back}>
            <Button type="primary">{t('customer360.backToList')}</Button>
          </Link>
        }
      />
    );
  }
  if (customer.error) {
    return (
      <Alert
        type="error"
        showIcon
        title={customer.error.message}
        action={
          <Button size="small" onClick={customer.reload}>
            {t('app.retry')}
          </Button>
        }
      />
    );
  }
  const data = customer.data;
  if (!data || data.profile.customerId !== customerId) {
    return (
      <Card size="small">
        <Skeleton active paragraph={{ rows: 10 }} />
      </Card>
    );
  }
  return (
    <div data-testid="customer-360">
      <Header customer={data} back={back} />
      <CustomerOwnershipCard customerId={customerId} />
      <CustomerTiersCard customerId={customerId} />
      <CustomerHouseholdCard customerId={customerId} />
      <CustomerProfileCard customerId={customerId} />
      <CustomerEntitlementsCard customerId={customerId} />
      <CustomerTimelineCard customerId={customerId} name={data.profile.name} />
      <CustomerOpportunitiesCard customerId={customerId} />
      <CustomerFeedbackCard customerId={customerId} />
      <CustomerComplaintsCard customerId={customerId} />
      <Row gutter={12}>
        <Col xs={24} xl={16}>
          <CustomerProfile profile={data.profile} />
        </Col>
        <Col xs={24} xl={8}>
          <AumSummary aum={data.aum} />
        </Col>
      </Row>
      <AumHistoryChart customerId={customerId} />
      <Row gutter={12}>
        <Col xs={24} xl={12}>
          <WealthProductsTable accounts={data.accounts} />
        </Col>
        <Col xs={24} xl={12}>
          <CardsTable cards={data.cards} />
          <LoansTable loans={data.loans} />
        </Col>
      </Row>
      <VipSigningCard customerId={customerId} />
      <SuitableProductsCard customerId={customerId} />
      <AccountsTable accounts={data.accounts} />
      <TransactionsTable customerId={customerId} />
    </div>
  );
}
