import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Empty, Form, Input, Popconfirm, Progress, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { LogContactButton } from './contact-form.js';
import { worklistApi, type Plan, type PlanItem } from './worklist.api.js';
import { chinaDate } from '../../app/china-time.js';
import { CustomerCell, KindTag } from './worklist.parts.js';
import { SectionTitle } from '../../app/page-title.js';

// The contact plan of "My day": in the policy's order, with the reason for each; the owner may
// reorder (up/down), remove and add a customer, and log a contact in two clicks from each row.
// Read-only for a branch head looking at someone else's plan.

const STATUS_COLOR: Record<PlanItem['status'], string> = { planned: 'blue', contacted: 'green', removed: 'default' };

export function PlanProgress({ contacted, planned }: { contacted: number; planned: number }) {
  const percent = planned > 0 ? Math.round((contacted / planned) * 100) : 0;
  const { t } = useTranslation();
  return (
    <Progress
      percent={percent}
      size="small"
      format={() => `${contacted}/${planned}`}
      aria-label={t('worklist.plan.progress', { contacted, planned })}
      style={{ minWidth: 140, marginBottom: 0 }}
    />
  );
}

function AddCustomer({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ customerId: string }>();
  const [saving, setSaving] = useState(false);
  const add = async ({ customerId }: { customerId: string }) => {
    setSaving(true);
    try {
      await worklistApi.changePlan({ action: 'add', customerId: customerId.trim() });
      form.resetFields();
      message.success(t('worklist.plan.added'));
      onAdded();
    } catch (err) {
      const text = err instanceof ApiError ? (err.fields?.customerId ?? errorText(err)) : errorText(err);
      form.setFields([{ name: 'customerId', errors: [text] }]);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Form form={form} layout="inline" onFinish={(v) => void add(v)} requiredMark={false}>
      <Form.Item name="customerId" rules={[{ required: true, whitespace: true, message: t('worklist.plan.addRequired') }]} style={{ marginInlineEnd: 4 }}>
        <Input placeholder={t('worklist.plan.addPlaceholder')} aria-label={`${t('worklist.plan.add')}: ${t('worklist.plan.addPlaceholder')}`} style={{ width: 150 }} allowClear data-testid="plan-add-customer" />
      </Form.Item>
      <Button htmlType="submit" icon={<PlusOutlined />} loading={saving} data-testid="plan-add">
        {t('worklist.plan.add')}
      </Button>
    </Form>
  );
}

export function PlanTable({ plan, loading, readOnly = false, onChanged }: { plan: Plan | null | undefined; loading: boolean; readOnly?: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const items = plan?.items ?? [];

  const change = async (body: Parameters<typeof worklistApi.changePlan>[0]) => {
    setBusy(true);
    try {
      await worklistApi.changePlan(body);
      onChanged();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  // the order is of the kept items only (the API refuses a list naming removed ones; they stay last)
  const kept = items.filter((i) => i.status !== 'removed').map((i) => i.customer.customerId);
  const move = (customerId: string, by: -1 | 1) => {
    const ids = [...kept];
    const index = ids.indexOf(customerId);
    const other = index + by;
    if (index < 0) return;
    const a = ids[index];
    const b = ids[other];
    if (a === undefined || b === undefined) return;
    ids[index] = b;
    ids[other] = a;
    void change({ action: 'reorder', customerIds: ids });
  };

  const columns: TableColumnsType<PlanItem> = [
    // the rank among the kept items (removed ones, listed last, have none): no gaps after a removal
    { key: 'position', title: t('worklist.plan.position'), width: 48, align: 'center', render: (_, i, index) => <span className="money">{i.status === 'removed' ? '–' : index + 1}</span> },
    { key: 'customer', title: t('worklist.common.customer'), width: 320, render: (_, i) => <CustomerCell customer={i.customer} /> },
    {
      key: 'reason',
      title: t('worklist.plan.reason'),
      render: (_, i) => (
        <Space orientation="vertical" size={2}>
          <span>{i.reasonText}</span>
          {i.reminders.length > 0 && (
            <Space size={4} wrap>
              {i.reminders.map((r) => (
                <Tooltip key={`${r.event}/${r.occurrence}`} title={r.summary}>
                  <span data-testid={`plan-reminder-${i.customer.customerId}-${r.event}`}>
                    <KindTag kind={r.kind} />
                  </span>
                </Tooltip>
              ))}
            </Space>
          )}
        </Space>
      ),
    },
    {
      key: 'status',
      title: t('worklist.plan.status'),
      width: 90,
      render: (_, i) => (
        <Tag color={STATUS_COLOR[i.status]} data-testid={`plan-status-${i.customer.customerId}`}>
          {t(`worklist.planStatuses.${i.status}`)}
        </Tag>
      ),
    },
    { key: 'last', title: t('worklist.plan.lastContact'), width: 110, render: (_, i) => <span className="money">{i.lastContact ? chinaDate(i.lastContact) : t('worklist.common.never')}</span> },
  ];
  if (!readOnly) {
    columns.push({
      key: 'actions',
      title: t('worklist.plan.actions'),
      width: 250,
      render: (_, i) => (
        <Space size={4}>
          {i.status === 'planned' && <LogContactButton customer={i.customer} reminders={i.reminders} source="plan" onSaved={onChanged} />}
          <Tooltip title={t('worklist.plan.up')}>
            <Button size="small" icon={<ArrowUpOutlined />} disabled={busy || i.status === 'removed' || kept[0] === i.customer.customerId} onClick={() => move(i.customer.customerId, -1)} aria-label={t('worklist.plan.up')} data-testid={`plan-up-${i.customer.customerId}`} />
          </Tooltip>
          <Tooltip title={t('worklist.plan.down')}>
            <Button size="small" icon={<ArrowDownOutlined />} disabled={busy || i.status === 'removed' || kept.at(-1) === i.customer.customerId} onClick={() => move(i.customer.customerId, 1)} aria-label={t('worklist.plan.down')} data-testid={`plan-down-${i.customer.customerId}`} />
          </Tooltip>
          {i.status !== 'removed' && (
            <Popconfirm title={t('worklist.plan.remove')} onConfirm={() => void change({ action: 'remove', customerId: i.customer.customerId })} okText={t('worklist.myDay.confirm')} cancelText={t('worklist.myDay.cancel')}>
              <Tooltip title={t('worklist.plan.remove')}>
                <Button size="small" danger icon={<DeleteOutlined />} disabled={busy} aria-label={t('worklist.plan.remove')} data-testid={`plan-remove-${i.customer.customerId}`} />
              </Tooltip>
            </Popconfirm>
          )}
        </Space>
      ),
    });
  }
  return (
    <Table<PlanItem>
      size="small"
      rowKey={(i) => i.customer.customerId}
      loading={loading || busy}
      columns={columns}
      dataSource={items}
      rowClassName={(i) => (i.status === 'removed' ? 'plan-row--removed' : '')}
      onRow={(i) => ({ 'data-testid': `plan-item-${i.customer.customerId}`, style: i.status === 'removed' ? { opacity: 0.55 } : undefined }) as React.HTMLAttributes<HTMLElement>}
      pagination={false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('worklist.plan.empty')} /> }}
      scroll={{ x: 1000 }}
    />
  );
}

export function PlanHeader({ plan, editable, onChanged }: { plan: Plan | null | undefined; editable: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  return (
    <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
      <Space size={12}>
        <SectionTitle style={{ margin: 0 }}>
          {t('worklist.plan.title')}
        </SectionTitle>
        {plan && <Typography.Text type="secondary">{t('worklist.plan.workDate', { date: plan.workDate })}</Typography.Text>}
        {plan && (
          <span data-testid="plan-progress">
            <PlanProgress contacted={plan.contacted} planned={plan.planned} />
          </span>
        )}
      </Space>
      {editable && <AddCustomer onAdded={onChanged} />}
    </Space>
  );
}
