import { EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Descriptions, Drawer, Empty, Form, Input, List, Modal, Radio, Segmented, Select, Space, Table, Tag, Typography, type ButtonProps, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { PageTitle, SectionTitle } from '../../app/page-title.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { errorText, StaffName } from '../ownership/ownership.parts.js';
import { CHANNEL_LIST, OUTCOME_LIST, type Channel, type Outcome } from '../worklist/worklist.api.js';
import { opportunitiesApi, PROSPECT_SOURCES, type Prospect, type ProspectDetail } from './opportunities.api.js';
import { Amount, NewOpportunityButton, OpportunityDrawer, StageTag } from './opportunity-parts.js';

// Prospects (递进沟通表): people who are not customers yet. Registered with a phone (or an ID
// number), both shown masked and in full only with a reason (audited); contacts and opportunities
// like a customer's; the night after they appear in the bank's customers they become that customer.

const PAGE_SIZE = 20;
type Status = 'open' | 'converted' | 'closed' | 'all';

function NewProspectButton({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ name: string; phone?: string; idNumber?: string; source: (typeof PROSPECT_SOURCES)[number]; notes?: string }>();
  const save = async (v: { name: string; phone?: string; idNumber?: string; source: (typeof PROSPECT_SOURCES)[number]; notes?: string }) => {
    setSaving(true);
    try {
      await opportunitiesApi.createProspect({ name: v.name.trim(), source: v.source, ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}), ...(v.idNumber?.trim() ? { idNumber: v.idNumber.trim() } : {}), ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}) });
      message.success(t('opportunities.prospects.saved'));
      setOpen(false);
      onSaved();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : undefined;
      const at = (['name', 'phone', 'idNumber', 'source', 'notes'] as const).filter((f) => fields?.[f]).map((f) => ({ name: f, errors: [fields?.[f] ?? ''] }));
      if (at.length) form.setFields(at);
      else message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="prospect-new">
        {t('opportunities.prospects.new')}
      </Button>
      <Modal
        open={open}
        title={t('opportunities.prospects.new')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('opportunities.form.save')}
        cancelText={t('opportunities.form.cancel')}
        okButtonProps={{ loading: saving, 'data-testid': 'prospect-save' } as ButtonProps}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false} requiredMark={false} initialValues={{ source: 'walk_in' }} onFinish={(v) => void save(v)}>
          <Form.Item name="name" label={t('opportunities.prospects.name')} rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
            <Input maxLength={40} data-testid="prospect-name" />
          </Form.Item>
          <Form.Item name="phone" label={t('opportunities.prospects.phone')}>
            <Input maxLength={20} inputMode="tel" data-testid="prospect-phone" />
          </Form.Item>
          <Form.Item name="idNumber" label={t('opportunities.prospects.idNumber')}>
            <Input maxLength={18} />
          </Form.Item>
          <Form.Item name="source" label={t('opportunities.prospects.source')}>
            <Radio.Group optionType="button" options={PROSPECT_SOURCES.map((s) => ({ value: s, label: t(`opportunities.prospectSources.${s}`) }))} />
          </Form.Item>
          <Form.Item name="notes" label={t('opportunities.prospects.notes')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** The phone and ID number in full, with a reason (audited), for this view only. */
function RevealButton({ prospectId }: { prospectId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [values, setValues] = useState<{ phone?: string | null; id_number?: string | null } | null>(null);
  const reveal = async () => {
    try {
      setValues((await opportunitiesApi.revealProspect(prospectId, ['phone', 'id_number'], reason.trim())).values);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields?.reason ?? errorText(err)) : errorText(err));
    }
  };
  return (
    <>
      <Button size="small" icon={<EyeOutlined />} onClick={() => (setOpen(true), setValues(null), setReason(''))} data-testid="prospect-reveal">
        {t('opportunities.prospects.reveal')}
      </Button>
      <Modal open={open} title={t('opportunities.prospects.revealTitle')} onCancel={() => setOpen(false)} onOk={() => (values ? setOpen(false) : void reveal())} okText={t('opportunities.stageDialog.confirm')} cancelText={t('opportunities.form.cancel')} destroyOnHidden>
        {values ? (
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('opportunities.prospects.phone')}>
              <span className="money" data-testid="revealed-phone">{values.phone ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.idNumber')}>
              <span className="money">{values.id_number ?? '—'}</span>
            </Descriptions.Item>
          </Descriptions>
        ) : (
          <Form layout="vertical">
            <Form.Item label={t('opportunities.prospects.revealReason')} validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
              <Input maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('opportunities.prospects.revealPlaceholder')} data-testid="reveal-reason" />
            </Form.Item>
          </Form>
        )}
      </Modal>
    </>
  );
}

function ContactForm({ prospectId, onSaved }: { prospectId: string; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ channel: Channel; outcome: Outcome; notes?: string; nextContactOn?: Dayjs | null }>();
  const save = async (v: { channel: Channel; outcome: Outcome; notes?: string; nextContactOn?: Dayjs | null }) => {
    try {
      await opportunitiesApi.prospectContact(prospectId, { channel: v.channel, outcome: v.outcome, ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}), ...(v.nextContactOn ? { nextContactOn: v.nextContactOn.format('YYYY-MM-DD') } : {}) });
      message.success(t('opportunities.prospects.saved'));
      form.resetFields();
      onSaved();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : undefined;
      const at = (['notes', 'nextContactOn'] as const).filter((f) => fields?.[f]).map((f) => ({ name: f, errors: [fields?.[f] ?? ''] }));
      if (at.length) form.setFields(at);
      else message.error(errorText(err));
    }
  };
  return (
    <Form form={form} layout="vertical" requiredMark={false} initialValues={{ channel: 'phone', outcome: 'reached' }} onFinish={(v) => void save(v)} data-testid="prospect-contact-form">
      <Space wrap>
        <Form.Item name="channel" label={t('opportunities.prospects.channel')}>
          <Select style={{ width: 120 }} options={CHANNEL_LIST.map((c) => ({ value: c, label: t(`worklist.channels.${c}`) }))} />
        </Form.Item>
        <Form.Item name="outcome" label={t('opportunities.prospects.outcome')}>
          <Select style={{ width: 140 }} options={OUTCOME_LIST.map((o) => ({ value: o, label: t(`worklist.outcomes.${o}`) }))} />
        </Form.Item>
        <Form.Item name="nextContactOn" label={t('opportunities.prospects.nextContactOn')}>
          <DatePicker />
        </Form.Item>
      </Space>
      <Form.Item name="notes" label={t('opportunities.prospects.contactNotes')}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="prospect-contact-notes" />
      </Form.Item>
      <Button htmlType="submit" size="small" type="primary" data-testid="prospect-contact-save">
        {t('opportunities.prospects.addContact')}
      </Button>
    </Form>
  );
}

function ProspectDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const user = useCurrentUser();
  const [opportunity, setOpportunity] = useState<string | null>(null);
  const detail = useApi(`prospect/${id ?? ''}/${i18n.language}`, (signal) => (id ? opportunitiesApi.prospect(id, signal) : Promise.resolve(null)));
  const p: ProspectDetail | null | undefined = detail.data;
  const changed = () => {
    detail.reload();
    onChanged();
  };
  const setStatus = async (status: 'open' | 'closed') => {
    if (!p) return;
    try {
      await opportunitiesApi.updateProspect(p.prospectId, { status });
      changed();
    } catch (err) {
      message.error(errorText(err));
    }
  };
  const mine = p && p.owner.staffId === user.login && p.status !== 'converted';
  return (
    <Drawer open={id !== null} onClose={onClose} size={720} title={p?.name ?? ''} data-testid="prospect-drawer">
      {detail.error && <Alert type="error" showIcon title={detail.error.message} />}
      {p && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('opportunities.prospects.phone')}>
              <Space size={6}>
                <span className="money" data-testid="prospect-phone-masked">{p.phone ?? '—'}</span>
                <RevealButton prospectId={p.prospectId} />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.idNumber')}>
              <span className="money">{p.idNumber ?? '—'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.source')}>{t(`opportunities.prospectSources.${p.source}`)}</Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.status')}>
              {p.status === 'converted' && p.convertedCustomerId ? (
                <Link to={`/customers/${encodeURIComponent(p.convertedCustomerId)}`}>{t('opportunities.prospects.converted', { date: p.convertedOn ?? '' })}</Link>
              ) : (
                t(`opportunities.prospectStatuses.${p.status}`)
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.owner')}>
              <StaffName staff={p.owner} />
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.prospects.notes')}>{p.notes ?? '—'}</Descriptions.Item>
          </Descriptions>
          {mine && (
            <Space>
              {p.status === 'open' ? (
                <Button size="small" onClick={() => void setStatus('closed')}>{t('opportunities.prospects.close')}</Button>
              ) : (
                <Button size="small" onClick={() => void setStatus('open')}>{t('opportunities.prospects.reopen')}</Button>
              )}
            </Space>
          )}
          <Space style={{ justifyContent: 'space-between', width: '100%' }}>
            <SectionTitle>{t('opportunities.prospects.opportunities')}</SectionTitle>
            {mine && p.status === 'open' && <NewOpportunityButton prospectId={p.prospectId} onSaved={changed} testId="prospect-opportunity-new" />}
          </Space>
          <List
            size="small"
            dataSource={p.opportunities}
            locale={{ emptyText: <Typography.Text type="secondary">{t('opportunities.common.empty')}</Typography.Text> }}
            renderItem={(o) => (
              <List.Item actions={[<Button key="open" size="small" type="link" onClick={() => setOpportunity(o.opportunityId)}>{t('opportunities.common.open')}</Button>]}>
                <Space size={8} wrap>
                  <StageTag stage={o.stage} />
                  <span>{o.target.label}</span>
                  <Amount yuan={o.expectedAmount} />
                  {o.nextStep && <Typography.Text type="secondary">{o.nextStep}（{o.nextStepOn}）</Typography.Text>}
                </Space>
              </List.Item>
            )}
          />
          <SectionTitle>{t('opportunities.prospects.contacts')}</SectionTitle>
          <List
            size="small"
            dataSource={p.contactLog}
            locale={{ emptyText: <Typography.Text type="secondary">—</Typography.Text> }}
            renderItem={(c) => (
              <List.Item data-testid="prospect-contact">
                <List.Item.Meta
                  title={
                    <span>
                      <span className="money">{chinaTime(c.contactedAt)}</span> · {t(`worklist.channels.${c.channel as Channel}`)} · {c.outcome ? t(`worklist.outcomes.${c.outcome as Outcome}`) : ''} · {c.staff.name}
                      {c.nextContactOn ? ` · ${t('opportunities.prospects.nextContact')} ${c.nextContactOn}` : ''}
                    </span>
                  }
                  description={c.notes}
                />
              </List.Item>
            )}
          />
          {mine && p.status === 'open' && <ContactForm prospectId={p.prospectId} onSaved={changed} />}
        </Space>
      )}
      <OpportunityDrawer id={opportunity} onClose={() => setOpportunity(null)} onChanged={changed} />
    </Drawer>
  );
}

export function ProspectsPage() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<Status>('open');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const list = useApi(`prospects/${status}/${search}/${page}/${version}/${i18n.language}`, (signal) => opportunitiesApi.prospects({ status, q: search || undefined, page, pageSize: PAGE_SIZE }, signal));
  const columns: TableColumnsType<Prospect> = [
    { key: 'name', title: t('opportunities.prospects.name'), render: (_, p) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(p.prospectId)} data-testid={`prospect-${p.prospectId}`}>{p.name}</Button> },
    { key: 'phone', title: t('opportunities.prospects.phone'), render: (_, p) => <span className="money">{p.phone ?? '—'}</span> },
    { key: 'source', title: t('opportunities.prospects.source'), render: (_, p) => t(`opportunities.prospectSources.${p.source}`) },
    { key: 'owner', title: t('opportunities.prospects.owner'), render: (_, p) => p.owner.name },
    { key: 'contacts', title: t('opportunities.prospects.contacts'), align: 'right', render: (_, p) => <span className="money">{p.contacts}</span> },
    { key: 'last', title: t('opportunities.prospects.lastContact'), render: (_, p) => <span className="money">{p.lastContactAt ? chinaTime(p.lastContactAt).slice(0, 10) : '—'}</span> },
    { key: 'next', title: t('opportunities.prospects.nextContact'), render: (_, p) => <span className="money">{p.nextContactOn ?? '—'}</span> },
    { key: 'opps', title: t('opportunities.prospects.opportunities'), align: 'right', render: (_, p) => <span className="money">{p.openOpportunities}</span> },
    { key: 'status', title: t('opportunities.prospects.status'), render: (_, p) => <Tag color={p.status === 'converted' ? 'green' : p.status === 'closed' ? 'default' : 'blue'}>{t(`opportunities.prospectStatuses.${p.status}`)}</Tag> },
  ];
  return (
    <div data-testid="prospects">
      <Card size="small" className="section-card">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <PageTitle>{t('opportunities.prospects.title')}</PageTitle>
          <Space wrap>
            <Segmented
              value={status}
              onChange={(v) => (setStatus(v as Status), setPage(1))}
              options={[
                { value: 'open', label: t('opportunities.prospectStatuses.open') },
                { value: 'converted', label: t('opportunities.prospectStatuses.converted') },
                { value: 'closed', label: t('opportunities.prospectStatuses.closed') },
                { value: 'all', label: t('opportunities.prospects.statusAll') },
              ]}
            />
            <Input.Search
              allowClear
              style={{ width: 220 }}
              placeholder={t('opportunities.prospects.search')}
              aria-label={t('opportunities.prospects.search')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onSearch={(v) => (setSearch(v.trim()), setPage(1))}
            />
            <NewProspectButton onSaved={() => setVersion((v) => v + 1)} />
          </Space>
        </Space>
      </Card>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Card size="small" className="section-card">
        <Table<Prospect>
          size="small"
          rowKey="prospectId"
          loading={list.loading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, hideOnSinglePage: true, onChange: setPage }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opportunities.prospects.empty')} /> }}
          data-testid="prospect-table"
        />
      </Card>
      <ProspectDrawer id={open} onClose={() => setOpen(null)} onChanged={() => setVersion((v) => v + 1)} />
    </div>
  );
}
