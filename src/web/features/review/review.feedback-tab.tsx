import { Alert, Table, Typography, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { StaffName } from '../ownership/ownership.parts.js';
import { FEEDBACK_KIND_LIST, reviewApi, type FeedbackManager } from './review.api.js';

/** Customers' feedback of the month counted per manager (the primary owner when recorded) and kind. */
export function FeedbackTab({ month }: { month: string | undefined }) {
  const { t, i18n } = useTranslation();
  const range = month ? { from: `${month}-01`, to: dayjs(`${month}-01`).endOf('month').format('YYYY-MM-DD') } : {};
  const counts = useApi(`feedback-counts/${month ?? ''}/${i18n.language}`, (signal) => reviewApi.feedbackCounts(range, signal));
  const data = counts.data;
  const columns: TableColumnsType<FeedbackManager> = [
    { key: 'staff', title: t('review.page.manager'), render: (_, m) => <StaffName staff={m.staff} /> },
    { key: 'branch', title: t('review.page.branch'), render: (_, m) => m.branch.name },
    ...FEEDBACK_KIND_LIST.map((k) => ({
      key: k,
      title: t(`review.feedback.kinds.${k}`),
      align: 'right' as const,
      render: (_: unknown, m: FeedbackManager) => (
        <span className="money" data-testid={`feedback-${m.staff.staffId}-${k}`}>
          {m.kinds[k]}
        </span>
      ),
    })),
    { key: 'total', title: t('review.feedback.total'), align: 'right', render: (_, m) => <strong className="money" data-testid={`feedback-${m.staff.staffId}-total`}>{m.total}</strong> },
  ];
  return (
    <div data-testid="feedback-tab">
      <Typography.Paragraph type="secondary">
        {t('review.feedback.hint')} {data && `${data.from} – ${data.to}`}
      </Typography.Paragraph>
      {counts.error && <Alert type="error" showIcon title={counts.error.message} style={{ marginBottom: 12 }} />}
      <Table<FeedbackManager>
        size="small"
        rowKey={(m) => m.staff.staffId}
        loading={counts.loading}
        columns={columns}
        dataSource={data?.managers ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        summary={() =>
          data ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={2}>
                {t('review.feedback.totals')}
              </Table.Summary.Cell>
              {FEEDBACK_KIND_LIST.map((k, i) => (
                <Table.Summary.Cell key={k} index={i + 2} align="right">
                  <span className="money">{data.totals.kinds[k]}</span>
                </Table.Summary.Cell>
              ))}
              <Table.Summary.Cell index={6} align="right">
                <strong className="money">{data.totals.total}</strong>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
        data-testid="feedback-managers"
      />
    </div>
  );
}
