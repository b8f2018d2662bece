import { Card, Descriptions, Empty, Table, Tag, type TableColumnsType } from 'antd';
import type { z } from 'zod';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { HouseholdResponse } from '../../../features/households/households.contract.js';
import { apiRequest } from '../../app/api.js';
import { useApi } from '../../app/use-api.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { Wan } from './money.view.js';

type HouseholdData = z.infer<typeof HouseholdResponse>['data'];
type Member = NonNullable<HouseholdData['household']>['members'][number];
type LinkRow = HouseholdData['links'][number];

const householdApi = (customerId: string, signal: AbortSignal) =>
  apiRequest<HouseholdData>(`/api/customers/${encodeURIComponent(customerId)}/household`, { signal });

/** On the customer 360 page: the customer's household (家庭) as the last daily batch computed it, and the links staff added. */
export function CustomerHouseholdCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const state = useApi(`customer-household/${customerId}/${i18n.language}`, (signal) => householdApi(customerId, signal));
  const h = state.data?.household ?? null;
  const links = state.data?.links ?? [];
  const columns: TableColumnsType<Member> = [
    {
      key: 'name',
      title: t('households.member'),
      render: (_, m) => (m.inScope && m.customerId !== customerId ? <Link to={`/customers/${encodeURIComponent(m.customerId)}`}>{m.name}</Link> : m.name),
    },
    { key: 'customerId', title: t('households.customerId'), width: 120, render: (_, m) => <span className="money">{m.customerId}</span> },
    { key: 'relation', title: t('households.relationToHead'), width: 110, render: (_, m) => <Tag>{t(`households.relations.${m.relationToHead}`)}</Tag> },
    { key: 'aum', title: t('households.aum'), width: 120, align: 'right', render: (_, m) => (m.aum === null ? '—' : <Wan yuan={m.aum} />) },
    {
      key: 'risks',
      title: t('households.risks'),
      render: (_, m) =>
        m.openRisks.map((e) => (
          <Tag key={e} color="red">
            {t(`worklist.events.${e}`, { defaultValue: e })}
          </Tag>
        )),
    },
  ];
  return (
    <Card size="small" className="section-card" title={t('households.title')} loading={state.loading && !state.data} data-testid="customer-household">
      {h ? (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('households.aum')}>
              <Wan yuan={h.aum} />
            </Descriptions.Item>
            <Descriptions.Item label={t('households.band')}>
              <ListTierTag model="aum_band" tier={h.band} />
            </Descriptions.Item>
            <Descriptions.Item label={t('households.asOf')}>{h.businessDate}</Descriptions.Item>
          </Descriptions>
          <Table<Member> size="small" rowKey="customerId" columns={columns} dataSource={h.members} pagination={false} />
        </>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('households.none')} />
      )}
      {links.length > 0 && (
        <div style={{ marginTop: 8 }} data-testid="household-links">
          <strong>{t('households.links')}</strong>
          {links.map((l: LinkRow) => (
            <div key={l.relatedCustomerId}>
              {l.name}（{t(`households.relations.${l.relation}`)}）· {t('households.consent', { note: l.consentNote, on: l.consentOn })}
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}
