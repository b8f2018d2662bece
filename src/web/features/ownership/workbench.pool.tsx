import { Alert, App, Button, Space, Table, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { CardGradeTag } from '../customers/customer-tags.js';
import { Wan } from '../customers/money.view.js';
import { ownershipApi, type PoolCustomer, type StaffLoad } from './ownership.api.js';
import { BandTag, CustomerLink, errorText, ReasonInput, StaffSelect } from './ownership.parts.js';

/** Customers without an owner: select, pick a staff member, give a reason, assign. */
export function PoolTab({ staff, version, onChanged }: { staff: StaffLoad[]; version: number; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const list = useApi(`pool/${page}/${version}/${i18n.language}`, (signal) => ownershipApi.pool(page, signal));
  const [selected, setSelected] = useState<string[]>([]);
  const [staffId, setStaffId] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const assign = async () => {
    if (!staffId) return void message.warning(t('ownership.workbench.staffRequired'));
    setBusy(true);
    try {
      const r = await ownershipApi.assign(selected, staffId, reason);
      void message.success(t('ownership.workbench.done', { n: r.changed }));
      setSelected([]);
      list.reload();
      onChanged();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<PoolCustomer> = [
    { key: 'customer', title: t('ownership.referral.customer'), render: (_, c) => <CustomerLink customer={c} /> },
    { key: 'branch', title: t('customers.branch'), render: (_, c) => c.branch.name },
    { key: 'aum', title: t('customers.col.aum'), render: (_, c) => <Wan yuan={c.aum} /> },
    { key: 'band', title: t('ownership.workbench.band'), render: (_, c) => <BandTag band={c.aumBand} /> },
    { key: 'vip', title: t('customers.col.vipCard'), render: (_, c) => (c.vipCard === 'gold' || c.vipCard === 'platinum' || c.vipCard === 'diamond' ? <CardGradeTag grade={c.vipCard} /> : null) },
  ];
  if (list.error) return <Alert type="error" showIcon title={list.error.message} />;
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <StaffSelect staff={staff} value={staffId} onChange={setStaffId} testId="pool-staff" />
        <ReasonInput value={reason} onChange={setReason} testId="pool-reason" />
        <Button type="primary" disabled={!selected.length} loading={busy} onClick={() => void assign()} data-testid="pool-assign">
          {t('ownership.workbench.assign')}
        </Button>
        <span>{t('ownership.workbench.selected', { n: selected.length })}</span>
      </Space>
      <Table<PoolCustomer>
        size="small"
        rowKey="customerId"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        pagination={{ current: page, pageSize: 100, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
        locale={{ emptyText: t('ownership.workbench.nothing') }}
      />
    </>
  );
}
