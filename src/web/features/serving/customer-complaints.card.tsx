import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ComplaintDetailDrawer } from './complaint-detail.js';
import { ComplaintForm } from './complaint-form.js';
import { complaintsApi, type Complaint } from './complaints.api.js';
import { complaintColumns } from './complaints.parts.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

/** On the customer 360 page: the customer's complaints, newest first, and "record a complaint". */
export function CustomerComplaintsCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [recording, setRecording] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useApi(`customer-complaints/${customerId}/${version}/${i18n.language}`, (signal) => complaintsApi.ofCustomer(customerId, signal));
  const recordable = can('complaints.record');
  return (
    <Card
      size="small"
      className="section-card"
      title={t('complaints.card.title')}
      extra={
        recordable && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setRecording(true)} data-testid="customer-complaint-record">
            {t('complaints.card.record')}
          </Button>
        )
      }
      data-testid="customer-complaints"
    >
      <Table<Complaint>
        size="small"
        rowKey="complaintId"
        loading={list.loading}
        columns={complaintColumns(t, (id) => recordable && setOpenId(id), { complainant: false })}
        dataSource={list.data?.items ?? []}
        scroll={scrollWhenRows(list.data?.items)}
        pagination={{ pageSize: 5, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('complaints.card.empty')} /> }}
      />
      {recordable && (
        <>
          <ComplaintForm
            open={recording}
            customerId={customerId}
            onClose={() => setRecording(false)}
            onDone={(c) => {
              setRecording(false);
              setVersion((v) => v + 1);
              setOpenId(c.complaintId);
            }}
          />
          <ComplaintDetailDrawer complaintId={openId} onClose={() => setOpenId(null)} onChanged={() => setVersion((v) => v + 1)} />
        </>
      )}
    </Card>
  );
}
