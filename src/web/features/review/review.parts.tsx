import { Descriptions, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { chinaTime } from '../../app/china-time.js';
import type { Coaching } from './review.api.js';

// Small pieces the monthly review's pages share.

/** A share 0–1 as a percentage, '—' for none. */
export const percent = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);

/** The follow-up's state: followed up, due on a date, or none set. */
export function FollowUpTag({ c }: { c: Coaching }) {
  const { t } = useTranslation();
  if (c.followedUpAt) return <Tag color="green">{t('review.coaching.followedUp')}</Tag>;
  if (c.followUpOn) return <Tag color="orange">{`${t('review.coaching.pending')} ${c.followUpOn}`}</Tag>;
  return <Tag>{t('review.coaching.noFollowUp')}</Tag>;
}

/** One coaching record as the reviewer and the manager read it. */
export function CoachingDetails({ c }: { c: Coaching }) {
  const { t } = useTranslation();
  return (
    <Descriptions size="small" column={1} bordered data-testid={`coaching-${c.coachingId}`}>
      <Descriptions.Item label={t('review.coaching.coachedOn')}>
        <span className="money">{c.coachedOn}</span> · {c.staff.name} · {t('review.coaching.author')} {c.author.name}
      </Descriptions.Item>
      <Descriptions.Item label={t('review.coaching.findings')}>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{c.findings}</Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t('review.coaching.actions')}>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{c.actions}</Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t('review.coaching.followUpOn')}>
        <FollowUpTag c={c} />
        {c.followedUpAt && (
          <Typography.Text type="secondary">
            {chinaTime(c.followedUpAt)} · {c.followedUpBy?.name ?? ''} — {c.followUpNote ?? ''}
          </Typography.Text>
        )}
      </Descriptions.Item>
    </Descriptions>
  );
}
