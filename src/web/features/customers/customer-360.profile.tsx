import { Card, Descriptions, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { RevealValue } from '../audit/reveal-value.js';
import { RiskLevelTag } from './customer-tags.js';
import type { Customer360Data } from './customers.api.js';
import { Yuan } from './money.view.js';

/** The customer's profile; personal data arrives masked from the server, and a role that may shows a value in full with a reason. */
export function CustomerProfile({ profile }: { profile: Customer360Data['profile'] }) {
  const { t } = useTranslation();
  const none = t('common.none');
  const gender = profile.gender === 'M' ? t('common.male') : profile.gender === 'F' ? t('common.female') : none;
  const birthday = profile.birthDate ? (profile.age === null ? profile.birthDate : t('common.birthdayAge', { date: profile.birthDate, age: profile.age })) : none;
  return (
    <Card size="small" title={t('customer360.profile')} className="section-card">
      <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 2, xxl: 3 }} bordered data-testid="customer-profile" styles={{ label: { width: 110 } }}>
        <Descriptions.Item label={t('customer360.gender')}>{gender}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.birthday')}>{birthday}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.idNumber')}>
          <RevealValue customerId={profile.customerId} field="id_number" masked={profile.idNumber} />
        </Descriptions.Item>
        <Descriptions.Item label={t('customer360.phone')}>
          <RevealValue customerId={profile.customerId} field="phone" masked={profile.phone} />
        </Descriptions.Item>
        <Descriptions.Item label={t('customer360.occupation')}>{profile.occupation ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.annualIncome')}>{profile.annualIncome ? <Yuan yuan={profile.annualIncome} /> : none}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.risk')}>{profile.riskLevel ? <RiskLevelTag level={profile.riskLevel} /> : none}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.branch')}>{profile.branch.name}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.customerSince')}>{profile.openedOn}</Descriptions.Item>
        <Descriptions.Item label={t('customer360.marketingConsent')}>
          {profile.marketingConsent ? <Tag color="green">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('customer360.address')} span="filled">
          <RevealValue customerId={profile.customerId} field="address" masked={profile.address} />
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
