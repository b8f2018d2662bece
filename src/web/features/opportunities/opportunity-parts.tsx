import { PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Descriptions, Drawer, Empty, Form, Input, List, Modal, Radio, Select, Space, Tag, Timeline, Tooltip, Typography, type ButtonProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { Wan } from '../customers/money.view.js';
import { errorText, StaffName } from '../ownership/ownership.parts.js';
import { OPEN_STAGES, opportunitiesApi, PRODUCT_KINDS, SOURCES, type NewOpportunity, type Opportunity, type OpportunityStage } from './opportunities.api.js';

// What the opportunity pages share: the stage, status and target as every row shows them, the form
// that makes one, the control that moves one to its next stage (lost asks why), and the drawer
// with one opportunity's stages and the weekly reviews' comments.

export const STAGE_COLOR: Record<OpportunityStage, string> = { identified: 'default', contacted: 'blue', needs_confirmed: 'cyan', proposed: 'purple', won: 'green', lost: 'red' };

export function StageTag({ stage }: { stage: OpportunityStage }) {
  const { t } = useTranslation();
  return (
    <Tag color={STAGE_COLOR[stage]} style={{ marginInlineEnd: 0 }}>
      {t(`opportunities.stages.${stage}`)}
    </Tag>
  );
}

/** Stale (with why on hover) and due, for an open opportunity. */
export function StatusTags({ o }: { o: Opportunity }) {
  const { t } = useTranslation();
  return (
    <Space size={4} wrap>
      {o.stale && (
        <Tooltip title={o.staleReasons.map((r) => t(`opportunities.staleReasons.${r}`)).join('；')}>
          <Tag color="red" data-testid={`stale-${o.opportunityId}`}>
            {t('opportunities.common.stale')}
          </Tag>
        </Tooltip>
      )}
      {o.due && !o.stale && (
        <Tag color="orange" data-testid={`due-${o.opportunityId}`}>
          {t('opportunities.common.due')}
        </Tag>
      )}
    </Space>
  );
}

/** The customer (a link to their page) or the prospect it is for. */
export function SubjectCell({ o }: { o: Opportunity }) {
  const { t } = useTranslation();
  if (o.customer) {
    return (
      <Link to={`/customers/${encodeURIComponent(o.customer.customerId)}`}>
        <strong>{o.customer.name}</strong> <span className="money muted">{o.customer.customerId}</span>
      </Link>
    );
  }
  return (
    <span>
      <strong>{o.prospect?.name ?? ''}</strong> <Tag>{t('opportunities.common.prospect')}</Tag>
    </span>
  );
}

export const Amount = ({ yuan }: { yuan: string | null }) => (yuan === null ? <span className="muted">—</span> : <Wan yuan={yuan} />);

interface CreateForm {
  customerId?: string;
  source: (typeof SOURCES)[number];
  campaign?: string;
  targetType: 'product_kind' | 'product' | 'vip_signing';
  kind?: (typeof PRODUCT_KINDS)[number];
  productCode?: string;
  expectedAmount?: string;
  nextStep: string;
  nextStepOn: Dayjs | null;
  notes?: string;
}
const FORM_FIELDS = ['customerId', 'source', 'campaign', 'expectedAmount', 'nextStep', 'nextStepOn', 'notes'] as const;

/** "New opportunity": for a customer or a prospect given, or a customer number typed in. */
export function NewOpportunityButton({
  customerId,
  prospectId,
  onSaved,
  size = 'small',
  type = 'primary',
  testId = 'opportunity-new',
}: {
  customerId?: string;
  prospectId?: string;
  onSaved?: () => void;
  size?: ButtonProps['size'];
  type?: ButtonProps['type'];
  testId?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<CreateForm>();
  const targetType = Form.useWatch('targetType', form);
  const source = Form.useWatch('source', form);
  const sources = SOURCES.filter((s) => !(prospectId && s === 'referral'));

  const save = async (v: CreateForm) => {
    const target: NewOpportunity['target'] =
      v.targetType === 'vip_signing' ? { type: 'vip_signing' } : v.targetType === 'product' ? { type: 'product', code: (v.productCode ?? '').trim() } : { type: 'product_kind', code: v.kind ?? 'wealth' };
    const body: NewOpportunity = {
      ...(prospectId ? { prospectId } : { customerId: customerId ?? (v.customerId ?? '').trim() }),
      source: v.source,
      ...(v.source === 'campaign' ? { campaign: (v.campaign ?? '').trim() } : {}),
      target,
      ...(v.expectedAmount?.trim() ? { expectedAmount: v.expectedAmount.trim().replace(/,/g, '') } : {}),
      nextStep: v.nextStep.trim(),
      nextStepOn: v.nextStepOn ? v.nextStepOn.format('YYYY-MM-DD') : '',
      ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}),
    };
    setSaving(true);
    try {
      await opportunitiesApi.create(body);
      message.success(t('opportunities.form.saved'));
      setOpen(false);
      onSaved?.();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : undefined;
      const at = FORM_FIELDS.filter((f) => fields?.[f]).map((f) => ({ name: f, errors: [fields?.[f] ?? ''] }));
      if (fields?.['target.code']) at.push({ name: 'productCode', errors: [fields['target.code']] } as never);
      if (at.length) form.setFields(at);
      else message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Button size={size} type={type} icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid={testId}>
        {t('opportunities.mine.new')}
      </Button>
      <Modal
        open={open}
        title={t('opportunities.form.title')}
        onCancel={() => setOpen(false)}
        okText={t('opportunities.form.save')}
        cancelText={t('opportunities.form.cancel')}
        okButtonProps={{ loading: saving, 'data-testid': 'opportunity-save' } as ButtonProps}
        onOk={() => form.submit()}
        destroyOnHidden
        width={560}
      >
        <Form<CreateForm>
          form={form}
          layout="vertical"
          preserve={false}
          requiredMark={false}
          initialValues={{ source: 'walk_in', targetType: 'product_kind', kind: 'wealth', nextStepOn: dayjs().add(1, 'day') }}
          onFinish={(v) => void save(v)}
          data-testid="opportunity-form"
        >
          {!customerId && !prospectId && (
            <Form.Item name="customerId" label={t('opportunities.form.customerId')} rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
              <Input maxLength={40} placeholder={t('opportunities.form.customerPlaceholder')} data-testid="opportunity-customer" />
            </Form.Item>
          )}
          <Form.Item name="source" label={t('opportunities.common.source')}>
            <Radio.Group optionType="button" options={sources.map((s) => ({ value: s, label: t(`opportunities.sources.${s}`) }))} />
          </Form.Item>
          {source === 'campaign' && (
            <Form.Item name="campaign" label={t('opportunities.form.campaign')} rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
              <Input maxLength={100} />
            </Form.Item>
          )}
          <Form.Item name="targetType" label={t('opportunities.form.targetType')}>
            <Radio.Group optionType="button" options={(['product_kind', 'product', 'vip_signing'] as const).map((x) => ({ value: x, label: t(`opportunities.targetTypes.${x}`) }))} />
          </Form.Item>
          {targetType === 'product_kind' && (
            <Form.Item name="kind" label={t('opportunities.form.productKind')}>
              <Select style={{ width: 200 }} options={PRODUCT_KINDS.map((k) => ({ value: k, label: t(`opportunities.kinds.${k}`) }))} data-testid="opportunity-kind" />
            </Form.Item>
          )}
          {targetType === 'product' && (
            <Form.Item name="productCode" label={t('opportunities.form.productCode')} rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
              <Input maxLength={40} style={{ width: 200 }} />
            </Form.Item>
          )}
          <Form.Item name="expectedAmount" label={t('opportunities.form.amountYuan')}>
            <Input maxLength={20} style={{ width: 200 }} inputMode="decimal" data-testid="opportunity-amount" />
          </Form.Item>
          <Form.Item name="nextStep" label={t('opportunities.common.nextStep')} rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
            <Input maxLength={200} data-testid="opportunity-next-step" />
          </Form.Item>
          <Form.Item name="nextStepOn" label={t('opportunities.common.nextStepOn')} rules={[{ required: true, message: t('opportunities.form.required') }]}>
            <DatePicker data-testid="opportunity-next-step-on" />
          </Form.Item>
          <Form.Item name="notes" label={t('opportunities.common.notes')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** Moves an open opportunity of one's own to a later stage, won, or lost (asking why). */
export function StageMover({ o, onMoved }: { o: Opportunity; onMoved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (o.status !== 'open') return null;
  const later = OPEN_STAGES.slice(OPEN_STAGES.indexOf(o.stage) + 1);
  const move = async (stage: OpportunityStage, lostReason?: string) => {
    setBusy(true);
    try {
      await opportunitiesApi.stage(o.opportunityId, { stage, ...(lostReason !== undefined ? { lostReason } : {}) });
      message.success(t('opportunities.mine.moved'));
      setAsking(false);
      onMoved();
    } catch (err) {
      if (err instanceof ApiError && err.fields?.lostReason) setError(err.fields.lostReason);
      else message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Select<OpportunityStage>
        size="small"
        style={{ width: 130 }}
        placeholder={t('opportunities.mine.moveTo')}
        aria-label={t('opportunities.mine.moveTo')}
        value={null as unknown as OpportunityStage}
        loading={busy}
        onChange={(stage) => {
          if (stage === 'lost') {
            setReason('');
            setError(null);
            setAsking(true);
          } else void move(stage);
        }}
        options={[...later, 'won' as const, 'lost' as const].map((s) => ({ value: s, label: t(`opportunities.stages.${s}`) }))}
        data-testid={`stage-move-${o.opportunityId}`}
      />
      <Modal
        open={asking}
        title={t('opportunities.stageDialog.title')}
        onCancel={() => setAsking(false)}
        onOk={() => void move('lost', reason.trim())}
        okText={t('opportunities.stageDialog.confirm')}
        cancelText={t('opportunities.form.cancel')}
        okButtonProps={{ loading: busy, 'data-testid': 'lost-confirm' } as ButtonProps}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('opportunities.stageDialog.reason')} validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
            <Input.TextArea rows={2} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('opportunities.stageDialog.placeholder')} data-testid="lost-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** One opportunity: its fields, stages with who and when, the reviews' comments; its owner changes the next step. */
export function OpportunityDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const user = useCurrentUser();
  const detail = useApi(`opportunity/${id ?? ''}/${i18n.language}`, (signal) => (id ? opportunitiesApi.get(id, signal) : Promise.resolve(null)));
  const o = detail.data;
  const [form] = Form.useForm<{ nextStep: string; nextStepOn: Dayjs | null }>();
  const save = async (v: { nextStep: string; nextStepOn: Dayjs | null }) => {
    if (!o) return;
    try {
      await opportunitiesApi.update(o.opportunityId, { nextStep: v.nextStep.trim(), ...(v.nextStepOn ? { nextStepOn: v.nextStepOn.format('YYYY-MM-DD') } : {}) });
      message.success(t('opportunities.detail.saved'));
      detail.reload();
      onChanged();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : undefined;
      const at = (['nextStep', 'nextStepOn'] as const).filter((f) => fields?.[f]).map((f) => ({ name: f, errors: [fields?.[f] ?? ''] }));
      if (at.length) form.setFields(at);
      else message.error(errorText(err));
    }
  };
  const mine = o && o.owner.staffId === user.login;
  return (
    <Drawer open={id !== null} onClose={onClose} size={640} title={t('opportunities.detail.title')} data-testid="opportunity-drawer">
      {detail.error && <Typography.Text type="danger">{detail.error.message}</Typography.Text>}
      {o && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={o.customer ? t('opportunities.common.customer') : t('opportunities.common.prospect')}>
              <SubjectCell o={o} />
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.common.target')}>{o.target.label}</Descriptions.Item>
            <Descriptions.Item label={t('opportunities.common.source')}>{t(`opportunities.sources.${o.source}`)}</Descriptions.Item>
            <Descriptions.Item label={t('opportunities.common.stage')}>
              <Space size={6} wrap>
                <StageTag stage={o.stage} />
                <span className="muted">{t('opportunities.common.daysInStage', { days: o.daysInStage })}</span>
                <StatusTags o={o} />
                {mine && <StageMover o={o} onMoved={() => (detail.reload(), onChanged())} />}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.common.amount')}>
              <Amount yuan={o.expectedAmount} />
            </Descriptions.Item>
            <Descriptions.Item label={t('opportunities.common.nextStep')}>
              {o.nextStep ?? '—'} {o.nextStepOn && <span className="money">（{o.nextStepOn}）</span>}
            </Descriptions.Item>
            {o.lostReason && <Descriptions.Item label={t('opportunities.common.lostReason')}>{o.lostReason}</Descriptions.Item>}
            {o.notes && <Descriptions.Item label={t('opportunities.common.notes')}>{o.notes}</Descriptions.Item>}
            <Descriptions.Item label={t('opportunities.common.owner')}>
              <StaffName staff={o.owner} />
            </Descriptions.Item>
          </Descriptions>
          {mine && o.status === 'open' && (
            <Form form={form} layout="inline" initialValues={{ nextStep: o.nextStep ?? '', nextStepOn: o.nextStepOn ? dayjs(o.nextStepOn) : null }} onFinish={(v) => void save(v)} key={o.updatedAt}>
              <Form.Item name="nextStep" rules={[{ required: true, whitespace: true, message: t('opportunities.form.required') }]}>
                <Input maxLength={200} aria-label={t('opportunities.common.nextStep')} style={{ width: 260 }} />
              </Form.Item>
              <Form.Item name="nextStepOn">
                <DatePicker aria-label={t('opportunities.common.nextStepOn')} />
              </Form.Item>
              <Button htmlType="submit" size="small" data-testid="opportunity-edit-save">
                {t('opportunities.detail.save')}
              </Button>
            </Form>
          )}
          <Typography.Title level={2} className="section-title">
            {t('opportunities.detail.stages')}
          </Typography.Title>
          <Timeline
            items={o.stages.map((s) => ({
              color: s.to === 'won' ? 'green' : s.to === 'lost' ? 'red' : 'blue',
              children: (
                <span>
                  {s.from ? `${t(`opportunities.stages.${s.from}`)} → ` : `${t('opportunities.detail.created')}：`}
                  {t(`opportunities.stages.${s.to}`)} · {s.by.name} · <span className="money">{chinaTime(s.at)}</span>
                  {s.reason ? ` · ${s.reason}` : ''}
                </span>
              ),
            }))}
          />
          <Typography.Title level={2} className="section-title">
            {t('opportunities.detail.comments')}
          </Typography.Title>
          <List
            size="small"
            dataSource={o.comments}
            locale={{ emptyText: <Typography.Text type="secondary">{t('opportunities.detail.noComments')}</Typography.Text> }}
            renderItem={(c) => (
              <List.Item data-testid="opportunity-comment">
                <List.Item.Meta title={<span>{c.author.name} · <span className="money">{c.reviewDate}</span></span>} description={<span style={{ whiteSpace: 'pre-wrap', color: '#262626' }}>{c.body}</span>} />
              </List.Item>
            )}
          />
        </Space>
      )}
      {!o && !detail.error && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
    </Drawer>
  );
}
