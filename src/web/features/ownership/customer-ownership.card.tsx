import { Button, Card, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaDate } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ClaimForm } from './claim-form.js';
import { ownershipApi } from './ownership.api.js';
import { ReferralForm } from './referral-form.js';

/** On the customer 360 page: who owns the customer, and the referral and claim buttons of the roles that may. */
export function CustomerOwnershipCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState<'refer' | 'claim' | null>(null);
  const own = useApi(`owners/${customerId}/${version}/${i18n.language}`, (signal) => ownershipApi.customer(customerId, signal));
  const owners = own.data?.owners ?? [];
  const done = () => {
    setDialog(null);
    setVersion((v) => v + 1);
  };
  const receivers = owners.filter((o) => ['customer_manager', 'cm_supervisor', 'branch_head'].includes(o.role));
  return (
    <Card size="small" className="section-card" data-testid="customer-owners">
      <Space wrap>
        <Typography.Text strong>{t('ownership.owners.title')}</Typography.Text>
        {owners.length === 0 && <Typography.Text type="secondary">{t('ownership.owners.none')}</Typography.Text>}
        {owners.map((o) => (
          <Tag key={o.staffId} color={o.kind === 'primary' ? 'blue' : 'default'} data-testid={`owner-${o.staffId}`}>
            {t(`ownership.owners.${o.kind}`)} · {o.name} · {t(`roles.${o.role}`)}
            <span className="owner-source" data-testid={`owner-source-${o.staffId}`}>
              {t('ownership.owners.since', { date: chinaDate(o.since), source: t(`ownership.owners.source.${o.source}`, { defaultValue: o.source }) })}
            </span>
          </Tag>
        ))}
        {own.data?.proposal && <Tag color="orange">{t('ownership.owners.proposal', { name: own.data.proposal.proposed.name })}</Tag>}
        {can('referrals.create') && (
          <Button size="small" onClick={() => setDialog('refer')} data-testid="refer-button">
            {t('ownership.referral.button')}
          </Button>
        )}
        {can('ownership.claim') && (
          <Button size="small" onClick={() => setDialog('claim')} data-testid="claim-button">
            {t('ownership.claim.button')}
          </Button>
        )}
      </Space>
      <ReferralForm open={dialog === 'refer'} customerId={customerId} managers={receivers} onClose={() => setDialog(null)} onDone={done} />
      {dialog === 'claim' && <ClaimForm open customerId={customerId} onClose={() => setDialog(null)} onDone={done} />}
    </Card>
  );
}
