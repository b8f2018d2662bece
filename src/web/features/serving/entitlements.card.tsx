import { Card, Empty, Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { servingApi, type CounterHit } from './serving.api.js';

type Entitlement = CounterHit['entitlements'][number];

/** Entitlements as tags, each with why on hover (and for screen readers). */
export function EntitlementTags({ items }: { items: readonly Entitlement[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('en') ? 'en' : 'zh';
  if (!items.length) return <Typography.Text type="secondary">{t('serving.entitlements.empty')}</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {items.map((e) => (
        <Tooltip key={e.id} title={`${t('serving.entitlements.why')}: ${e.why.join('; ')}`}>
          <Tag color={STATE_HEX.gold} aria-label={`${e.label[lang]} (${t('serving.entitlements.why')}: ${e.why.join('; ')})`} data-testid={`entitlement-${e.id}`}>
            {e.label[lang]}
          </Tag>
        </Tooltip>
      ))}
    </Space>
  );
}

/** On the customer 360 page: what the customer is entitled to now, and why. */
export function CustomerEntitlementsCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('en') ? 'en' : 'zh';
  const r = useApi(`customer-entitlements/${customerId}/${i18n.language}`, (signal) => servingApi.entitlements(customerId, signal));
  const data = r.data;
  return (
    <Card
      size="small"
      className="section-card"
      title={t('serving.entitlements.title')}
      loading={r.loading && !data}
      extra={data && <Typography.Text type="secondary">{t('serving.entitlements.version', { version: data.policyVersion })}</Typography.Text>}
      data-testid="customer-entitlements"
    >
      {data && data.entitlements.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('serving.entitlements.empty')} />}
      {data && data.entitlements.length > 0 && (
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {data.entitlements.map((e) => (
            <li key={e.id} data-testid={`entitlement-${e.id}`}>
              <Typography.Text strong>{e.label[lang]}</Typography.Text>
              <Typography.Text type="secondary">{`　${t('serving.entitlements.why')}: ${e.why.join('; ')}`}</Typography.Text>
            </li>
          ))}
        </ul>
      )}
      {r.error && <Typography.Text type="danger">{r.error.message}</Typography.Text>}
    </Card>
  );
}
