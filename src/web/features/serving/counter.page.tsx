import { App, Button, Card, Empty, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { useSession } from '../../app/session.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { ReferralForm } from '../ownership/referral-form.js';
import { ProfileCollectDrawer } from '../profile/profile-collect.drawer.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { EntitlementTags } from './entitlements.card.js';
import { servingApi, type CounterHit } from './serving.api.js';

// The counter's view (issue 22 §3): tellers, the lobby manager and the lobby assistant find a
// walk-in customer fast, see band, entitlements, owner and open work, and act in one click.

const CATEGORIES = ['service', 'product', 'fees', 'waiting', 'staff', 'system', 'other'] as const;
type Category = (typeof CATEGORIES)[number];

function ComplaintDialog({ customer, onClose }: { customer: CounterHit | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ category: Category; description: string }>();
  const submit = async () => {
    if (!customer) return;
    const v = await form.validateFields();
    try {
      const c = await servingApi.recordComplaint({ customerId: customer.customerId, channel: 'counter', category: v.category, description: v.description.trim() });
      void message.success(t('serving.counter.complaintSaved', { id: c.complaintId }));
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  return (
    <Modal open={customer !== null} title={`${t('serving.counter.complaintTitle')} · ${customer?.name ?? ''}`} onOk={() => void submit()} onCancel={onClose} okButtonProps={{ 'data-testid': 'counter-complaint-submit' }} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ category: 'service' }}>
        <Form.Item name="category" label={t('serving.counter.category')}>
          <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`serving.counter.categories.${c}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('serving.counter.description')} rules={[{ required: true, whitespace: true, min: 2, message: t('serving.counter.descriptionRequired') }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="counter-complaint-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function HandOverDialog({ customer, onClose }: { customer: CounterHit | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ staffId: string; note: string }>();
  const managers = useApi(`counter-managers/${customer?.customerId ?? ''}/${i18n.language}`, (signal) => servingApi.managers(signal));
  const available = managers.data?.items.filter((m) => m.available) ?? [];
  const submit = async () => {
    if (!customer) return;
    const v = await form.validateFields();
    try {
      const h = await servingApi.handOver(customer.customerId, v.staffId, v.note ?? '');
      void message.success(t('serving.counter.handedOver', { name: h.to.name }));
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  return (
    <Modal open={customer !== null} title={`${t('serving.counter.handOverTitle')} · ${customer?.name ?? ''}`} onOk={() => void submit()} onCancel={onClose} okButtonProps={{ disabled: !available.length, 'data-testid': 'counter-handover-submit' }} destroyOnHidden>
      {managers.data && !available.length && <Typography.Paragraph type="warning">{t('serving.counter.noManagers')}</Typography.Paragraph>}
      <Form form={form} layout="vertical">
        <Form.Item name="staffId" label={t('serving.counter.manager')} rules={[{ required: true, message: t('serving.counter.managerRequired') }]}>
          <Select
            data-testid="counter-handover-manager"
            loading={managers.loading}
            options={(managers.data?.items ?? []).map((m) => ({ value: m.staffId, label: m.available ? m.name : `${m.name}（${t('serving.counter.away')}）`, disabled: !m.available }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('serving.counter.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Hit({ hit, onRefer, onComplaint, onHandOver, onCollect }: { hit: CounterHit; onRefer: () => void; onComplaint: () => void; onHandOver: () => void; onCollect: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  return (
    <Card size="small" className="section-card" data-testid="counter-hit">
      <Space direction="vertical" size={6} style={{ width: '100%' }}>
        <Space wrap size={12}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {hit.name}
          </Typography.Text>
          <Typography.Text className="money">{hit.customerId}</Typography.Text>
          <span>
            {t('serving.counter.band')}: {hit.aumBand ? <ListTierTag model="aum_band" tier={hit.aumBand} /> : '—'}
          </span>
          <Typography.Text type="secondary">{[hit.phone, hit.idNumber, hit.branch.name].filter(Boolean).join(' · ')}</Typography.Text>
          <Typography.Text type="secondary">({t(`serving.counter.matchedBy.${hit.matchedBy}`)})</Typography.Text>
        </Space>
        <div>
          <Typography.Text type="secondary">{t('serving.counter.entitlements')}: </Typography.Text>
          <EntitlementTags items={hit.entitlements} />
        </div>
        <Space wrap size={16}>
          <span>
            {t('serving.counter.owner')}: {hit.owner?.name ?? t('serving.counter.noOwner')}
          </span>
          <span style={{ color: hit.openReminders ? STATE_HEX.orange : undefined }}>
            {t('serving.counter.reminders')}: {hit.openReminders}
          </span>
          <span style={{ color: hit.openOpportunities ? STATE_HEX.green : undefined }}>
            {t('serving.counter.opportunities')}: {hit.openOpportunities}
          </span>
        </Space>
        <Space wrap>
          <Link to={`/customers/${encodeURIComponent(hit.customerId)}`}>
            <Button size="small">{t('serving.counter.open')}</Button>
          </Link>
          {can('referrals.create') && (
            <Button size="small" onClick={onRefer} data-testid="counter-refer">
              {t('serving.counter.refer')}
            </Button>
          )}
          {can('complaints.record') && (
            <Button size="small" onClick={onComplaint} data-testid="counter-complaint">
              {t('serving.counter.complaint')}
            </Button>
          )}
          {can('profile.collect') && (
            <Button size="small" onClick={onCollect} data-testid="counter-profile">
              {t('profile.counter.record')}
            </Button>
          )}
          {can('counter.handover') && (
            <Button size="small" type="primary" onClick={onHandOver} data-testid="counter-handover">
              {t('serving.counter.handOver')}
            </Button>
          )}
        </Space>
      </Space>
    </Card>
  );
}

export function CounterPage() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [referring, setReferring] = useState<CounterHit | null>(null);
  const [complaining, setComplaining] = useState<CounterHit | null>(null);
  const [handing, setHanding] = useState<CounterHit | null>(null);
  const [collecting, setCollecting] = useState<CounterHit | null>(null);
  const result = useApi(`counter-search/${q}/${i18n.language}`, (signal) => (q ? servingApi.search(q, signal) : Promise.resolve(null)));
  const items = result.data?.items ?? [];
  return (
    <div data-testid="counter-page">
      <PageTitle large>{t('serving.counter.title')}</PageTitle>
      <Card size="small" className="section-card">
        <Input.Search
          autoFocus
          allowClear
          size="large"
          enterButton={t('serving.counter.search')}
          placeholder={t('serving.counter.placeholder')}
          aria-label={t('serving.counter.search')}
          maxLength={40}
          onSearch={(v) => setQ(v.trim())}
          loading={result.loading && q !== ''}
          data-testid="counter-search"
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('serving.counter.help')}
        </Typography.Paragraph>
      </Card>
      {result.error && <Typography.Text type="danger">{result.error.message}</Typography.Text>}
      {q && result.data && !items.length && <Empty description={t('serving.counter.empty')} data-testid="counter-empty" />}
      {items.map((hit) => (
        <Hit key={hit.customerId} hit={hit} onRefer={() => setReferring(hit)} onComplaint={() => setComplaining(hit)} onHandOver={() => setHanding(hit)} onCollect={() => setCollecting(hit)} />
      ))}
      {referring && <ReferralForm open customerId={referring.customerId} managers={referring.owner ? [referring.owner] : []} onClose={() => setReferring(null)} onDone={() => setReferring(null)} />}
      <ComplaintDialog customer={complaining} onClose={() => setComplaining(null)} />
      {handing && <HandOverDialog customer={handing} onClose={() => setHanding(null)} />}
      <ProfileCollectDrawer customerId={collecting?.customerId ?? null} name={collecting?.name} onClose={() => setCollecting(null)} />
    </div>
  );
}
