import { App, Button, Card, Empty, Input, List, Space, Statistic, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { errorText } from '../ownership/ownership.parts.js';
import { STATE_COLOR } from './gathering.page.js';
import { gatheringsApi, type Door, type Invitee } from './gatherings.api.js';

// The door of a relationship event, for a tablet: find an invitee by name or the last 4 digits of
// the phone, one tap marks them arrived; arrived against expected at the top. Phones masked.

export function DoorPage() {
  const { gatheringId = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [version, setVersion] = useState(0);
  const [door, setDoor] = useState<Door | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      gatheringsApi
        .door(gatheringId, q.trim(), controller.signal)
        .then(setDoor)
        .catch((err: unknown) => {
          if (err instanceof ApiError) message.error(errorText(err));
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [gatheringId, q, version, message]);

  const mark = async (c: Invitee) => {
    setBusy(c.customerId);
    try {
      await gatheringsApi.attend(gatheringId, c.customerId);
      message.success(t('gatherings.marked', { name: c.name }));
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card size="small" className="section-card door-page" data-testid="door-page" style={{ maxWidth: 900 }}>
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        <Link to={`/gatherings/${encodeURIComponent(gatheringId)}`}>{door?.title ?? ''}</Link>
        <PageTitle>{t('gatherings.doorTitle')}</PageTitle>
        <Space size={32}>
          <Statistic title={t('gatherings.arrived')} value={door?.arrived ?? 0} data-testid="door-arrived" />
          <Statistic title={t('gatherings.expected')} value={door?.expected ?? 0} data-testid="door-expected" />
        </Space>
        <Input.Search
          size="large"
          allowClear
          aria-label={t('gatherings.search')}
          placeholder={t('gatherings.search')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          inputMode="search"
          data-testid="door-search"
        />
        <List<Invitee>
          dataSource={door?.hits ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('gatherings.noHits')} /> }}
          data-testid="door-hits"
          renderItem={(c) => (
            <List.Item
              data-testid={`door-hit-${c.customerId}`}
              actions={[
                c.state === 'attended' ? (
                  <Tag key="a" color={STATE_COLOR.attended} style={{ fontSize: 16, padding: '6px 12px' }}>
                    {t('gatherings.states.attended')}
                  </Tag>
                ) : (
                  <Button key="a" type="primary" size="large" style={{ minWidth: 96, minHeight: 48 }} disabled={busy !== null || door?.status === 'closed'} onClick={() => void mark(c)} data-testid={`door-attend-${c.customerId}`}>
                    {t('gatherings.markAttended')}
                  </Button>
                ),
              ]}
            >
              <List.Item.Meta
                title={<Typography.Text style={{ fontSize: 18 }}>{c.name}</Typography.Text>}
                description={
                  <Space wrap>
                    <span>{c.phone ?? ''}</span>
                    <span>{c.owner?.name ?? ''}</span>
                    <Tag color={STATE_COLOR[c.state]}>{t(`gatherings.states.${c.state}`)}</Tag>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Space>
    </Card>
  );
}
