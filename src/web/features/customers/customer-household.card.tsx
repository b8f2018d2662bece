import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Empty, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import type { z } from 'zod';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { HouseholdResponse, LinkBody, Relation } from '../../../features/households/households.contract.js';
import { ApiError, apiRequest } from '../../app/api.js';
import { chinaTime, chinaToday } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { CustomerSearch } from './customer-search.js';
import { Wan } from './money.view.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

type HouseholdData = z.infer<typeof HouseholdResponse>['data'];
type Member = NonNullable<HouseholdData['household']>['members'][number];
type LinkRow = HouseholdData['links'][number];

// the same list as households.contract.ts (types only from there: a Record, so a relation added there fails here by type)
const RELATION_SET: Record<Relation, true> = { spouse: true, parent: true, child: true, sibling: true, other: true };
const RELATIONS = Object.keys(RELATION_SET) as Relation[];

const enc = encodeURIComponent;
const householdApi = {
  get: (customerId: string, signal: AbortSignal) => apiRequest<HouseholdData>(`/api/customers/${enc(customerId)}/household`, { signal }),
  link: (customerId: string, body: z.input<typeof LinkBody>) => apiRequest<LinkRow>(`/api/customers/${enc(customerId)}/household/links`, { method: 'POST', body }),
  unlink: (customerId: string, relatedId: string) =>
    apiRequest<{ removed: boolean }>(`/api/customers/${enc(customerId)}/household/links/${enc(relatedId)}`, { method: 'DELETE' }),
};

interface LinkForm {
  relatedCustomerId?: string;
  relation?: Relation;
  consented?: boolean;
  consentNote?: string;
  consentOn?: Dayjs | null;
}
const LINK_FIELDS = ['relatedCustomerId', 'relation', 'consentNote', 'consentOn'] as const;

/** Link another customer of the user's scope as family, with the customer's consent noted; the API's errors at their fields. */
function LinkDialog({ customerId, open, onClose, onSaved }: { customerId: string; open: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<LinkForm>();
  const [saving, setSaving] = useState(false);
  const today = dayjs(chinaToday());
  const submit = async (v: LinkForm) => {
    if (!v.relatedCustomerId || !v.relation || !v.consented) return;
    setSaving(true);
    try {
      await householdApi.link(customerId, {
        relatedCustomerId: v.relatedCustomerId,
        relation: v.relation,
        consentNote: (v.consentNote ?? '').trim(),
        ...(v.consentOn ? { consentOn: v.consentOn.format('YYYY-MM-DD') } : {}),
      });
      void message.success(t('households.link.saved'));
      form.resetFields();
      onSaved();
    } catch (err) {
      const fields = err instanceof ApiError ? (err.fields ?? {}) : {};
      const at = Object.entries(fields).flatMap(([name, text]) => {
        const field = LINK_FIELDS.find((f) => f === name);
        return field ? [{ name: field, errors: [text] }] : [];
      });
      if (at.length) form.setFields(at);
      else void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('households.link.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('households.link.save')}
      cancelText={t('households.link.cancel')}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'household-link-save' } as Record<string, string>}
    >
      <Form<LinkForm> form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} initialValues={{ consentOn: today, consented: false }} data-testid="household-link-form">
        <Form.Item name="relatedCustomerId" label={t('households.link.customer')} rules={[{ required: true, message: t('households.link.customerRequired') }]}>
          <CustomerSearch placeholder={t('households.link.customerSearch')} ariaLabel={t('households.link.customer')} testId="household-link-customer" exclude={[customerId]} />
        </Form.Item>
        <Form.Item name="relation" label={t('households.link.relation')} rules={[{ required: true, message: t('households.link.relationRequired') }]}>
          <Select data-testid="household-link-relation" options={RELATIONS.map((r) => ({ value: r, label: t(`households.relations.${r}`) }))} />
        </Form.Item>
        <Form.Item
          name="consented"
          valuePropName="checked"
          rules={[{ validator: (_, v: boolean | undefined) => (v ? Promise.resolve() : Promise.reject(new Error(t('households.link.consentedRequired')))) }]}
        >
          <Checkbox data-testid="household-link-consented">{t('households.link.consented')}</Checkbox>
        </Form.Item>
        <Form.Item
          name="consentNote"
          label={t('households.link.consentNote')}
          rules={[{ validator: (_, v: string | undefined) => ((v ?? '').trim().length >= 2 ? Promise.resolve() : Promise.reject(new Error(t('households.link.consentNoteRequired')))) }]}
        >
          <Input.TextArea rows={2} maxLength={500} placeholder={t('households.link.consentNotePlaceholder')} data-testid="household-link-note" />
        </Form.Item>
        <Form.Item name="consentOn" label={t('households.link.consentOn')}>
          <DatePicker allowClear={false} disabledDate={(d) => d.isAfter(today, 'day')} data-testid="household-link-date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** On the customer 360 page: the customer's household (家庭) as the last daily batch computed it, and the links staff added. */
export function CustomerHouseholdCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const linker = can('households.link');
  const [version, setVersion] = useState(0);
  const [adding, setAdding] = useState(false);
  const [justLinked, setJustLinked] = useState(false);
  const state = useApi(`customer-household/${customerId}/${version}/${i18n.language}`, (signal) => householdApi.get(customerId, signal));
  const h = state.data?.household ?? null;
  const links = state.data?.links ?? [];
  const columns: TableColumnsType<Member> = [
    {
      key: 'name',
      title: t('households.member'),
      render: (_, m) => (m.inScope && m.customerId !== customerId ? <Link to={`/customers/${encodeURIComponent(m.customerId)}`}>{m.name}</Link> : m.name),
    },
    { key: 'customerId', title: t('households.customerId'), width: 120, render: (_, m) => <span className="money">{m.customerId}</span> },
    { key: 'relation', title: t('households.relationToHead'), width: 110, render: (_, m) => <Tag>{t(`households.relations.${m.relationToHead}`)}</Tag> },
    { key: 'aum', title: t('households.aum'), width: 120, align: 'right', render: (_, m) => (m.aum === null ? '—' : <Wan yuan={m.aum} />) },
    {
      key: 'risks',
      title: t('households.risks'),
      render: (_, m) =>
        m.openRisks.map((e) => (
          <Tag key={e} color="red">
            {t(`worklist.events.${e}`, { defaultValue: e })}
          </Tag>
        )),
    },
  ];
  const unlink = async (l: LinkRow) => {
    try {
      await householdApi.unlink(customerId, l.relatedCustomerId);
      void message.success(t('households.link.removed'));
      setJustLinked(true);
      setVersion((v) => v + 1);
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  const linkColumns: TableColumnsType<LinkRow> = [
    {
      key: 'name',
      title: t('households.member'),
      render: (_, l) => (
        <span>
          {l.name} <span className="money">{l.relatedCustomerId}</span>
        </span>
      ),
    },
    { key: 'relation', title: t('households.link.relation'), width: 110, render: (_, l) => <Tag>{t(`households.relations.${l.relation}`)}</Tag> },
    { key: 'consent', title: t('households.link.consent'), render: (_, l) => `${l.consentNote}（${l.consentOn}）` },
    {
      key: 'by',
      title: t('households.link.addedBy'),
      width: 170,
      render: (_, l) => (
        <Typography.Text type="secondary">
          {l.createdByName} · {chinaTime(l.createdAt)}
        </Typography.Text>
      ),
    },
    ...(linker
      ? [
          {
            key: 'remove',
            width: 80,
            render: (_: unknown, l: LinkRow) => (
              <Popconfirm
                title={t('households.link.removeConfirm', { name: l.name })}
                onConfirm={() => void unlink(l)}
                okText={t('households.link.remove')}
                cancelText={t('households.link.cancel')}
              >
                <Button size="small" danger icon={<DeleteOutlined />} data-testid={`household-unlink-${l.relatedCustomerId}`}>
                  {t('households.link.remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card
      size="small"
      className="section-card"
      title={t('households.title')}
      loading={state.loading && !state.data}
      extra={
        linker && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="household-link-add">
            {t('households.link.add')}
          </Button>
        )
      }
      data-testid="customer-household"
    >
      {h ? (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('households.aum')}>
              <Wan yuan={h.aum} />
            </Descriptions.Item>
            <Descriptions.Item label={t('households.band')}>
              <ListTierTag model="aum_band" tier={h.band} />
            </Descriptions.Item>
            <Descriptions.Item label={t('households.asOf')}>{h.businessDate}</Descriptions.Item>
          </Descriptions>
          <Table<Member> size="small" rowKey="customerId" columns={columns} dataSource={h.members} pagination={false} />
        </>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('households.none')} />
      )}
      {justLinked && <Alert style={{ marginTop: 8 }} type="info" showIcon message={t('households.link.pending')} data-testid="household-link-pending" />}
      {links.length > 0 && (
        <div style={{ marginTop: 8 }} data-testid="household-links">
          <strong>{t('households.links')}</strong>
          <Table<LinkRow> size="small" rowKey="relatedCustomerId" columns={linkColumns} dataSource={links} pagination={false} scroll={scrollWhenRows(links)} />
        </div>
      )}
      <LinkDialog
        customerId={customerId}
        open={adding}
        onClose={() => setAdding(false)}
        onSaved={() => {
          setAdding(false);
          setJustLinked(true);
          setVersion((v) => v + 1);
        }}
      />
    </Card>
  );
}
