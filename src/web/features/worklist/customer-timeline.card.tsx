import { BellOutlined, PhoneOutlined, RiseOutlined } from '@ant-design/icons';
import { Alert, Card, Empty, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { LogContactButton } from './contact-form.js';
import { worklistApi, type TimelineEntry } from './worklist.api.js';
import { chinaTime } from '../../app/china-time.js';

// The customer's timeline on the 360 page: contacts, reminders and tier changes, newest first,
// with the next contact date agreed and a button to log a contact (the same form as "My day").

const LOOK: Record<TimelineEntry['type'], { color: string; icon: React.ReactNode }> = {
  contact: { color: 'green', icon: <PhoneOutlined /> },
  reminder: { color: 'orange', icon: <BellOutlined /> },
  tier_change: { color: 'blue', icon: <RiseOutlined /> },
};

export function CustomerTimelineCard({ customerId, name }: { customerId: string; name: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const timeline = useApi(`timeline/${customerId}/${i18n.language}`, (signal) => worklistApi.timeline(customerId, signal));
  // the customer's open reminders of the signed-in owner, ticked in the form
  const open = useApi(`timeline/reminders/${customerId}/${i18n.language}`, (signal) =>
    can('worklist.own') ? worklistApi.reminders({ customerId, pageSize: 50 }, signal) : Promise.resolve(undefined),
  );
  const reminders = (open.data?.items ?? []).map((r) => ({ event: r.event, occurrence: r.occurrence, kind: r.kind, summary: r.summary }));
  const next = timeline.data?.nextContactOn ?? null;
  return (
    <Card
      size="small"
      className="section-card"
      data-testid="customer-timeline"
      title={
        <Space size={12}>
          <span>{t('worklist.timeline.title')}</span>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal' }} data-testid="timeline-next">
            {next ? t('worklist.timeline.nextContact', { date: next }) : t('worklist.timeline.noNext')}
          </Typography.Text>
        </Space>
      }
      extra={
        can('worklist.own') ? (
          <LogContactButton
            customer={{ customerId, name }}
            reminders={reminders}
            source="customer"
            onSaved={() => {
              timeline.reload();
              open.reload();
            }}
          />
        ) : null
      }
    >
      {timeline.error && <Alert type="error" showIcon title={timeline.error.message} />}
      {!timeline.data && timeline.loading && <Spin />}
      {timeline.data && timeline.data.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('worklist.timeline.empty')} />}
      {timeline.data && timeline.data.items.length > 0 && (
        <div style={{ maxHeight: 360, overflowY: 'auto', paddingTop: 8 }}>
          <Timeline
            items={timeline.data.items.map((e, i) => ({
              key: `${e.at}/${i}`,
              color: LOOK[e.type].color,
              icon: LOOK[e.type].icon,
              content: (
                <div data-testid={`timeline-${e.type}`}>
                  <Space size={6} wrap>
                    <span className="money muted">{/^\d{4}-\d{2}-\d{2}$/.test(e.at) ? e.at : chinaTime(e.at)}</span>
                    <Tag color={LOOK[e.type].color}>{t(`worklist.timeline.types.${e.type}`)}</Tag>
                    <strong>{e.title}</strong>
                    {e.staff && <Typography.Text type="secondary">{e.staff.name}</Typography.Text>}
                  </Space>
                  {e.detail && <div style={{ color: '#595959', marginTop: 2 }}>{e.detail}</div>}
                </div>
              ),
            }))}
          />
        </div>
      )}
    </Card>
  );
}
