import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { chinaTime } from '../../app/china-time.js';
import { useApi } from '../../app/use-api.js';
import { ExportButton, MyExportsButton } from '../exports/export-button.js';
import { auditApi, type AuditItem } from './audit.api.js';
import type { AuditFilters } from '../../../features/audit/audit.contract.js';
import { PageTitle } from '../../app/page-title.js';

const ACTIONS = ['sign_in', 'sign_in_failed', 'reveal', 'export', 'assign', 'reassign', 'recall', 'proposal_accept', 'claim_approve', 'policy_publish', 'audit_prune'] as const;

interface FilterForm {
  dates?: [Dayjs | null, Dayjs | null] | null;
  actor?: string;
  action?: string;
  customerId?: string;
  outcome?: 'allowed' | 'refused';
}

function toFilters(v: FilterForm): AuditFilters {
  const f: AuditFilters = {};
  const [from, to] = v.dates ?? [];
  if (from) f.from = from.format('YYYY-MM-DD');
  if (to) f.to = to.format('YYYY-MM-DD');
  if (v.actor?.trim()) f.actor = v.actor.trim();
  if (v.action) f.action = v.action;
  if (v.customerId?.trim()) f.customerId = v.customerId.trim();
  if (v.outcome) f.outcome = v.outcome;
  return f;
}

/** The audit trail: the department sees all of it, a branch head what concerns their subtree (server-side). */
export function AuditPage() {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<FilterForm>();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const list = useApi(`audit/${JSON.stringify(filters)}/${page}/${pageSize}/${i18n.language}`, (signal) => auditApi.list({ ...filters, page, pageSize }, signal));
  const actionLabel = (a: string) => ((ACTIONS as readonly string[]).includes(a) ? t(`audit.actions.${a as (typeof ACTIONS)[number]}`) : a);

  const columns: TableColumnsType<AuditItem> = [
    { key: 'at', title: t('audit.at'), width: 170, render: (_, r) => <span className="money">{chinaTime(r.at, true)}</span> },
    { key: 'who', title: t('audit.who'), render: (_, r) => (r.actor ? `${r.actor}${r.actorName ? ` ${r.actorName}` : ''}` : t('common.none')) },
    { key: 'action', title: t('audit.action'), render: (_, r) => actionLabel(r.action) },
    {
      key: 'customers',
      title: t('audit.customers'),
      render: (_, r) => (
        <Space size={4} wrap>
          {r.customerIds.slice(0, 5).map((id) => (
            <Link key={id} to={`/customers/${encodeURIComponent(id)}`}>{id}</Link>
          ))}
          {r.customerIds.length > 5 ? `+${r.customerIds.length - 5}` : null}
          {r.customersRef ? (
            <Typography.Text title={r.customersRef} data-testid="audit-customers-apart">
              {t('audit.customersApart', { n: r.customerCount.toLocaleString('en-US') })}
            </Typography.Text>
          ) : null}
          {r.customersOutsideScope > 0 ? (
            <Typography.Text type="secondary" data-testid="audit-outside-scope">
              {t('audit.outsideScope', { n: r.customersOutsideScope.toLocaleString('en-US') })}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { key: 'fields', title: t('audit.fields'), width: 110, render: (_, r) => r.fields.map((f) => (['phone', 'id_number', 'address'].includes(f) ? t(`audit.fieldNames.${f as 'phone'}`) : f)).join('、') },
    { key: 'outcome', title: t('audit.outcome'), render: (_, r) => <Tag color={r.outcome === 'allowed' ? 'green' : 'red'}>{t(`audit.outcomes.${r.outcome}`)}</Tag> },
    { key: 'reason', title: t('audit.reason'), dataIndex: 'reason' },
    { key: 'ip', title: t('audit.from_ip'), dataIndex: 'ip' },
    { key: 'detail', title: t('audit.detail'), render: (_, r) => (Object.keys(r.detail).length ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{JSON.stringify(r.detail)}</Typography.Text> : null) },
  ];

  return (
    <Card size="small" className="section-card" data-testid="audit-page">
      <PageTitle>{t('audit.title')}</PageTitle>
      <Typography.Paragraph type="secondary">{t('audit.hint')}</Typography.Paragraph>
      <Form<FilterForm>
        form={form}
        layout="inline"
        onFinish={(v) => {
          setFilters(toFilters(v));
          setPage(1);
        }}
        style={{ rowGap: 8, marginBottom: 12 }}
      >
        <Form.Item name="dates" label={`${t('audit.from')} – ${t('audit.to')}`}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item name="actor" label={t('audit.actor')}>
          <Input allowClear style={{ width: 120 }} data-testid="audit-actor" />
        </Form.Item>
        <Form.Item name="action" label={t('audit.action')}>
          <Select allowClear style={{ width: 150 }} placeholder={t('audit.any')} options={ACTIONS.map((a) => ({ value: a, label: actionLabel(a) }))} data-testid="audit-action" />
        </Form.Item>
        <Form.Item name="customerId" label={t('audit.customer')}>
          <Input allowClear style={{ width: 120 }} data-testid="audit-customer" />
        </Form.Item>
        <Form.Item name="outcome" label={t('audit.outcome')}>
          <Select allowClear style={{ width: 100 }} placeholder={t('audit.any')} options={(['allowed', 'refused'] as const).map((o) => ({ value: o, label: t(`audit.outcomes.${o}`) }))} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" data-testid="audit-search">{t('audit.search')}</Button>
          <Button
            onClick={() => {
              form.resetFields();
              setFilters({});
              setPage(1);
            }}
          >
            {t('audit.reset')}
          </Button>
          <ExportButton request={{ kind: 'audit', format: 'csv', filters }} label={t('audit.exportCsv')} title={t('audit.exportNote')} testId="audit-export-csv" />
          <ExportButton request={{ kind: 'audit', format: 'xlsx', filters }} label={t('audit.exportXlsx')} title={t('audit.exportNote')} testId="audit-export-xlsx" />
          <MyExportsButton />
        </Space>
      </Form>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Table<AuditItem>
        rowKey="entryId"
        size="small"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        onRow={() => ({ 'data-testid': 'audit-row' }) as React.HTMLAttributes<HTMLElement>}
        scroll={{ x: 1100 }}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (n) => t('audit.total', { n }),
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
      />
    </Card>
  );
}
