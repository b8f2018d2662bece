import { Card, DatePicker, Space, Tabs, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { CoachingTab } from './review.coaching-tab.js';
import { FeedbackTab } from './review.feedback-tab.js';
import { SpotCheckTab } from './review.spot-tab.js';

// The monthly review (管户效果评估, seed 003) of a branch head or the department: the spot check of
// familiar customers per manager (drawn, then checked one by one; "not familiar" offers recall),
// customers' feedback counted per manager, and the coaching log per manager with its form. The
// choices live in the URL (tab, month, staffId), so My day's coaching reminder opens its manager.

const TABS = ['spot', 'feedback', 'coaching'] as const;
type Tab = (typeof TABS)[number];

export function MonthlyReviewPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'spot';
  const month = params.get('month') || undefined;
  const staffId = params.get('staffId') || undefined;
  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  return (
    <Card size="small" className="section-card" data-testid="monthly-review">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Space size={12} wrap>
          <PageTitle>{t('review.page.title')}</PageTitle>
          <Typography.Text type="secondary">{t('review.page.hint')}</Typography.Text>
        </Space>
        <Space>
          <span>{t('review.page.month')}</span>
          <DatePicker
            picker="month"
            aria-label={t('review.page.month')}
            value={month ? dayjs(`${month}-01`) : null}
            disabledDate={(d) => d.isAfter(dayjs(), 'month')}
            onChange={(d) => set({ month: d ? d.format('YYYY-MM') : undefined, staffId: undefined })}
            data-testid="review-month"
          />
        </Space>
      </Space>
      <Tabs
        activeKey={tab}
        onChange={(k) => set({ tab: k === 'spot' ? undefined : k, staffId: undefined })}
        items={[
          { key: 'spot', label: t('review.page.tabs.spot'), children: <SpotCheckTab month={month} staffId={staffId} onStaff={(id) => set({ staffId: id })} /> },
          { key: 'feedback', label: t('review.page.tabs.feedback'), children: <FeedbackTab month={month} /> },
          { key: 'coaching', label: t('review.page.tabs.coaching'), children: <CoachingTab staffId={staffId} onStaff={(id) => set({ staffId: id })} /> },
        ]}
      />
    </Card>
  );
}
