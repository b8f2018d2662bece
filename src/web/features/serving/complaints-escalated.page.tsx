import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Empty, Space, Table, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaToday } from '../../app/china-time.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { ComplaintDetailDrawer } from './complaint-detail.js';
import { complaintsApi, type Complaint, type ReportRow } from './complaints.api.js';
import { complaintColumns } from './complaints.parts.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

const share = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const hours = (v: number | null) => (v === null ? '—' : v.toFixed(1));

/** Hours past the limit that made it late (the resolution's once past it, else the first response's). */
function overdueHours(c: Complaint, now: number): number | null {
  const due = c.dueState === 'response_overdue' ? c.first_response_due : c.dueState === 'resolution_overdue' || c.dueState === 'resolution_150' ? c.resolution_due : null;
  return due === null ? null : Math.max(0, Math.floor((now - Date.parse(due)) / 3600_000));
}

/** For the branch head and the department: the red list of escalated complaints, and the report with its Excel download. */
export function ComplaintsEscalatedPage() {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const today = chinaToday();
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const red = useApi(`complaints-escalated/${version}/${i18n.language}`, (signal) => complaintsApi.escalated(signal));
  const report = useApi(`complaints-report/${from}/${to}/${version}/${i18n.language}`, (signal) => complaintsApi.report({ from, to }, signal));
  const now = Date.now();
  const redColumns: TableColumnsType<Complaint> = [
    ...complaintColumns(t, setOpenId, { escalation: true }),
    {
      key: 'overdue',
      title: t('complaints.columns.overdueBy'),
      width: 120,
      render: (_, c) => {
        const h = overdueHours(c, now);
        return h === null ? '—' : <span style={{ color: STATE_HEX.red, fontWeight: 600 }}>{t('complaints.escalated.overdueBy', { hours: h })}</span>;
      },
    },
  ];
  const reportColumns: TableColumnsType<ReportRow> = [
    { key: 'branch', title: t('complaints.columns.branch'), render: (_, r) => r.branch.name },
    { key: 'month', title: t('complaints.escalated.month'), width: 90, render: (_, r) => <span className="money">{r.month}</span> },
    { key: 'cause', title: t('complaints.detail.rootCause'), width: 110, render: (_, r) => (r.rootCause ? t(`complaints.rootCauses.${r.rootCause as 'other'}`, { defaultValue: r.rootCause }) : t('complaints.escalated.notClosed')) },
    { key: 'received', title: t('complaints.escalated.received'), align: 'right', width: 80, render: (_, r) => r.received },
    { key: 'resolved', title: t('complaints.escalated.resolved'), align: 'right', width: 80, render: (_, r) => r.resolved },
    { key: 'within', title: t('complaints.escalated.within'), align: 'right', width: 110, render: (_, r) => r.resolvedWithinLimit },
    { key: 'share', title: t('complaints.escalated.share'), align: 'right', width: 110, render: (_, r) => share(r.shareWithinLimit) },
    { key: 'response', title: t('complaints.escalated.meanResponse'), align: 'right', width: 130, render: (_, r) => hours(r.meanFirstResponseHours) },
    { key: 'resolution', title: t('complaints.escalated.meanResolution'), align: 'right', width: 130, render: (_, r) => hours(r.meanResolutionHours) },
  ];
  const totals = report.data?.totals;
  const pick = (set: (v: string) => void) => (d: Dayjs | null) => {
    if (d) set(d.format('YYYY-MM-DD'));
  };
  return (
    <div data-testid="complaints-escalated-page">
      <Card size="small" className="section-card">
        <PageTitle>{t('complaints.escalated.title')}</PageTitle>
        <SectionTitle>{t('complaints.escalated.redList')}</SectionTitle>
        <Typography.Paragraph type="secondary">{t('complaints.escalated.redHint')}</Typography.Paragraph>
        {red.error && <Alert type="error" showIcon title={red.error.message} style={{ marginBottom: 12 }} />}
        <Table<Complaint>
          size="small"
          rowKey="complaintId"
          loading={red.loading}
          columns={redColumns}
          dataSource={red.data?.items ?? []}
          scroll={scrollWhenRows(red.data?.items)}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('complaints.escalated.empty')} /> }}
          data-testid="complaints-red-list"
        />
      </Card>
      <Card size="small" className="section-card">
        <SectionTitle>{t('complaints.escalated.report')}</SectionTitle>
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor="complaints-report-from">{t('complaints.escalated.from')}</label>
          <DatePicker id="complaints-report-from" value={dayjs(from)} onChange={pick(setFrom)} allowClear={false} data-testid="complaints-report-from" />
          <label htmlFor="complaints-report-to">{t('complaints.escalated.to')}</label>
          <DatePicker id="complaints-report-to" value={dayjs(to)} onChange={pick(setTo)} allowClear={false} data-testid="complaints-report-to" />
          <Button icon={<DownloadOutlined />} href={complaintsApi.sheetUrl({ from, to })} data-testid="complaints-report-download">
            {t('complaints.escalated.download')}
          </Button>
        </Space>
        {report.error && <Alert type="error" showIcon title={report.error.message} style={{ marginBottom: 12 }} />}
        <Table<ReportRow>
          size="small"
          rowKey={(r) => `${r.branch.id}/${r.month}/${r.rootCause ?? ''}`}
          loading={report.loading}
          columns={reportColumns}
          dataSource={report.data?.rows ?? []}
          pagination={false}
          data-testid="complaints-report"
          summary={() =>
            totals ? (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={3}>
                  <strong>{t('complaints.escalated.total')}</strong>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right">{totals.received}</Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right">{totals.resolved}</Table.Summary.Cell>
                <Table.Summary.Cell index={5} align="right">{totals.resolvedWithinLimit}</Table.Summary.Cell>
                <Table.Summary.Cell index={6} align="right">{share(totals.shareWithinLimit)}</Table.Summary.Cell>
                <Table.Summary.Cell index={7} align="right">{hours(totals.meanFirstResponseHours)}</Table.Summary.Cell>
                <Table.Summary.Cell index={8} align="right">{hours(totals.meanResolutionHours)}</Table.Summary.Cell>
              </Table.Summary.Row>
            ) : null
          }
        />
      </Card>
      <ComplaintDetailDrawer complaintId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
    </div>
  );
}
