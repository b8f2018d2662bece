import { EditOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Empty, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaTime } from '../../app/china-time.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { ProfileCollectDrawer } from './profile-collect.drawer.js';
import { profileApi, type Profile, type ProfileField } from './profile.api.js';

// On the customer 360 page (issue 23 §2): the customer's profile — completeness of the 9 fields and
// which are missing, the core system's values (masked as the API gives them) with any open
// proposal, Stratum's own fields, each with who and when; "record data the customer gave" for
// whoever collects for the customer.

type CoreRow = Profile['core'][number];
/** The 9 fields are complete from 7 (POLICIES "Profile completeness"). */
const COMPLETE_AT = 7;

function Who({ name, at }: { name: string; at: string }) {
  const { t } = useTranslation();
  return <Typography.Text type="secondary">{t('profile.card.by', { name, at: chinaTime(at) })}</Typography.Text>;
}

/** The fields missing, as tags (used on the outlet's list too). */
export function MissingTags({ missing }: { missing: readonly ProfileField[] }) {
  const { t } = useTranslation();
  return (
    <Space size={[4, 4]} wrap>
      {missing.map((f) => (
        <Tag key={f} color="orange" data-testid="profile-missing-field">
          {t(`profile.fields.${f}`)}
        </Tag>
      ))}
    </Space>
  );
}

function Completeness({ c }: { c: Profile['completeness'] }) {
  const { t } = useTranslation();
  if (!c) return <Typography.Text type="secondary">{t('profile.card.notComputed')}</Typography.Text>;
  return (
    <Space wrap size={8} data-testid="profile-completeness">
      <Typography.Text strong style={{ color: c.filled < COMPLETE_AT ? STATE_HEX.orange : STATE_HEX.green }}>
        {t('profile.card.filled', { filled: c.filled, of: c.of })}
      </Typography.Text>
      <Typography.Text type="secondary">{t('profile.card.asOf', { date: c.businessDate })}</Typography.Text>
      {c.missing.length ? (
        <>
          <span>{t('profile.card.missing')}</span>
          <MissingTags missing={c.missing} />
        </>
      ) : (
        <span>{t('profile.card.complete')}</span>
      )}
    </Space>
  );
}

export function CustomerProfileCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState(false);
  const state = useApi(`customer-profile/${customerId}/${version}/${i18n.language}`, (signal) => profileApi.get(customerId, signal));
  const p = state.data && state.data.customerId === customerId ? state.data : null;
  const columns: TableColumnsType<CoreRow> = [
    { key: 'field', title: t('profile.card.field'), width: 120, render: (_, r) => t(`profile.fields.${r.field}`) },
    { key: 'feed', title: t('profile.card.feedValue'), render: (_, r) => r.feedValue ?? t('profile.card.none') },
    {
      key: 'proposal',
      title: t('profile.card.proposal'),
      render: (_, r) =>
        r.proposal ? (
          <Space direction="vertical" size={0} data-testid={`profile-proposal-${r.field}`}>
            <Space size={6} wrap>
              <span className="money">{r.proposal.value ?? '—'}</span>
              <Tag color="blue">{t('profile.card.awaiting')}</Tag>
            </Space>
            <Who name={r.proposal.proposedBy.name} at={r.proposal.proposedAt} />
          </Space>
        ) : (
          t('profile.card.none')
        ),
    },
  ];
  return (
    <Card
      size="small"
      className="section-card"
      title={t('profile.card.title')}
      loading={state.loading && !p}
      extra={
        p?.canEdit && (
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="profile-edit">
            {t('profile.card.edit')}
          </Button>
        )
      }
      data-testid="customer-profile-card"
    >
      {state.error && <Typography.Text type="danger">{state.error.message}</Typography.Text>}
      {p && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <div>
            <Typography.Text strong>{t('profile.card.completeness')}</Typography.Text> <Completeness c={p.completeness} />
          </div>
          <div>
            <Typography.Text strong>{t('profile.card.core')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
              {t('profile.card.coreHint')}
            </Typography.Paragraph>
            <Table<CoreRow> size="small" rowKey="field" columns={columns} dataSource={p.core} pagination={false} data-testid="profile-core" />
          </div>
          <Descriptions size="small" column={{ xs: 1, md: 2 }} title={t('profile.card.own')} data-testid="profile-own">
            <Descriptions.Item label={t('profile.card.interests')}>
              {p.interests.length ? (
                <Space size={[4, 4]} wrap data-testid="profile-interest-tags">
                  {p.interests.map((x) => (
                    <Tag key={x} color="green">
                      {x}
                    </Tag>
                  ))}
                </Space>
              ) : (
                t('profile.card.none')
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('profile.card.familyNotes')}>{p.familyNotes ?? t('profile.card.none')}</Descriptions.Item>
            <Descriptions.Item label={t('profile.card.contactTime')}>{p.contactTime ? t(`profile.times.${p.contactTime}`) : t('profile.card.none')}</Descriptions.Item>
            <Descriptions.Item label={t('profile.card.contactChannel')}>{p.contactChannel ? t(`profile.channels.${p.contactChannel}`) : t('profile.card.none')}</Descriptions.Item>
            <Descriptions.Item label={t('profile.card.updated')}>{p.updatedBy && p.updatedAt ? <Who name={p.updatedBy.name} at={p.updatedAt} /> : t('profile.card.none')}</Descriptions.Item>
          </Descriptions>
        </Space>
      )}
      {!p && !state.loading && !state.error && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      <ProfileCollectDrawer customerId={editing ? customerId : null} onClose={() => setEditing(false)} onSaved={() => setVersion((v) => v + 1)} />
    </Card>
  );
}
