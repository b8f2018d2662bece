import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Segmented, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { ComplaintDetailDrawer } from './complaint-detail.js';
import { ComplaintForm } from './complaint-form.js';
import { complaintsApi, type Complaint } from './complaints.api.js';
import { complaintColumns } from './complaints.parts.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

/** Complaints (投诉): record one; the ones I own, or all I can read; a complaint's detail and work. */
export function ComplaintsPage() {
  const { t, i18n } = useTranslation();
  const [mine, setMine] = useState(true);
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const [version, setVersion] = useState(0);
  const [recording, setRecording] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useApi(`complaints/${mine}/${status}/${version}/${i18n.language}`, (signal) => complaintsApi.list({ status, mine }, signal));
  return (
    <Card size="small" className="section-card" data-testid="complaints-page">
      <PageTitle>{t('complaints.page.title')}</PageTitle>
      <Typography.Paragraph type="secondary">{t('complaints.page.hint')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)} data-testid="complaint-record">
          {t('complaints.page.record')}
        </Button>
        <Segmented
          value={mine ? 'mine' : 'readable'}
          onChange={(v) => setMine(v === 'mine')}
          options={[
            { value: 'mine', label: t('complaints.page.mine') },
            { value: 'readable', label: t('complaints.page.readable') },
          ]}
          data-testid="complaints-whose"
        />
        <Segmented
          value={status}
          onChange={(v) => setStatus(v === 'all' ? 'all' : 'open')}
          options={[
            { value: 'open', label: t('complaints.page.openOnly') },
            { value: 'all', label: t('complaints.page.all') },
          ]}
          data-testid="complaints-status"
        />
      </Space>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Table<Complaint>
        size="small"
        rowKey="complaintId"
        loading={list.loading}
        columns={complaintColumns(t, setOpenId)}
        dataSource={list.data?.items ?? []}
        scroll={scrollWhenRows(list.data?.items)}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('complaints.page.empty')} /> }}
        data-testid="complaints-table"
      />
      <ComplaintForm
        open={recording}
        onClose={() => setRecording(false)}
        onDone={(c) => {
          setRecording(false);
          setVersion((v) => v + 1);
          setOpenId(c.complaintId);
        }}
      />
      <ComplaintDetailDrawer complaintId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
    </Card>
  );
}
