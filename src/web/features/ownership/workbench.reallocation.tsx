import { Alert, App, Button, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { Wan } from '../customers/money.view.js';
import { ownershipApi, type Reallocation } from './ownership.api.js';
import { BandTag, CustomerLink, errorText, StaffName } from './ownership.parts.js';

type Item = Reallocation['items'][number];

/** Monthly: owned customers not contacted as often as their band needs, each one click from recall. */
export function ReallocationTab({ version, onChanged }: { version: number; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const report = useApi(`reallocation/${version}/${i18n.language}`, (signal) => ownershipApi.reallocation(signal));
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const recall = async (ids: string[]) => {
    setBusy(true);
    try {
      const r = await ownershipApi.recall(ids, t('ownership.workbench.recallReason'));
      void message.success(t('ownership.workbench.done', { n: r.changed }));
      setSelected([]);
      report.reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Item> = [
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, x) => <CustomerLink customer={x.customer} /> },
    { key: 'aum', title: t('customers.col.aum'), render: (_, x) => <Wan yuan={x.customer.aum} /> },
    { key: 'band', title: t('ownership.workbench.band'), render: (_, x) => <BandTag band={x.customer.aumBand} /> },
    { key: 'owner', title: t('ownership.workbench.owner'), render: (_, x) => <StaffName staff={x.owner} /> },
    { key: 'frequency', title: t('ownership.workbench.frequency'), render: (_, x) => t('ownership.workbench.everyDays', { n: x.frequencyDays }) },
    { key: 'last', title: t('ownership.workbench.lastContact'), render: (_, x) => (x.lastContact ? x.lastContact.slice(0, 10) : t('ownership.workbench.never')) },
    {
      key: 'recall',
      title: t('common.actions'),
      render: (_, x) => (
        <Button size="small" danger loading={busy} onClick={() => void recall([x.customer.customerId])} data-testid={`recall-${x.customer.customerId}`}>
          {t('ownership.workbench.recall')}
        </Button>
      ),
    },
  ];
  if (report.error) return <Alert type="error" showIcon title={report.error.message} />;
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button danger disabled={!selected.length} loading={busy} onClick={() => void recall(selected)}>
          {t('ownership.workbench.recallSelected')}
        </Button>
        {report.data?.asOf && <Typography.Text type="secondary">{t('ownership.workbench.asOf', { date: report.data.asOf })}</Typography.Text>}
      </Space>
      <Table<Item>
        size="small"
        rowKey={(x) => x.customer.customerId}
        loading={report.loading}
        dataSource={report.data?.items ?? []}
        columns={columns}
        pagination={{ pageSize: 50 }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
        locale={{ emptyText: t('ownership.workbench.nothing') }}
      />
    </>
  );
}
