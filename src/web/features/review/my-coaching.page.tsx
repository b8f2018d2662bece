import { Alert, Card, Empty, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { reviewApi, type Coaching } from './review.api.js';
import { CoachingDetails } from './review.parts.js';

/** A manager's own coaching records (绩效沟通辅导), newest first, read-only. */
export function MyCoachingPage() {
  const { t, i18n } = useTranslation();
  const mine = useApi(`my-coaching/${i18n.language}`, (signal) => reviewApi.myCoaching(signal));
  return (
    <Card size="small" className="section-card" data-testid="my-coaching">
      <PageTitle>{t('review.mine.title')}</PageTitle>
      <Typography.Paragraph type="secondary">{t('review.mine.hint')}</Typography.Paragraph>
      {mine.error && <Alert type="error" showIcon title={mine.error.message} style={{ marginBottom: 12 }} />}
      <List<Coaching>
        loading={mine.loading}
        dataSource={mine.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('review.mine.empty')} /> }}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        renderItem={(c) => (
          <List.Item key={c.coachingId}>
            <div style={{ width: '100%' }}>
              <CoachingDetails c={c} />
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}
