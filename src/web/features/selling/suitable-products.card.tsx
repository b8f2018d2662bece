import { Alert, App, Button, Card, Empty, Form, Input, List, Modal, Radio, Select, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { Yuan } from '../customers/money.view.js';
import { errorText } from '../ownership/ownership.parts.js';
import { sellingApi, type CustomerSuitability, type ProductCheck } from './selling.api.js';

// The suitable products card of the 360 page (issue 19 §3): the products of the catalogue that
// suit the customer and those that do not, each with why; the assessment's state; recording a
// recommendation of a product that suits (R4/R5 at 65 and over: with a colleague who confirms).

const RISK_COLOR: Record<string, string> = { R1: 'green', R2: 'cyan', R3: 'blue', R4: 'orange', R5: 'red' };

interface RecommendForm {
  kind: 'recommendation' | 'proposal';
  confirmedBy?: string;
  note?: string;
}

function RecommendDialog({ product, customerId, data, onClose, onDone }: { product: ProductCheck | null; customerId: string; data: CustomerSuitability | undefined; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RecommendForm>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: RecommendForm) => {
    if (!product) return;
    setSaving(true);
    setError(null);
    try {
      await sellingApi.recommend(customerId, { productCode: product.productCode, kind: v.kind, ...(v.confirmedBy ? { confirmedBy: v.confirmedBy } : {}), ...(v.note?.trim() ? { note: v.note.trim() } : {}) });
      onDone();
    } catch (err) {
      // the reason of a refusal (422) at its field, else above the form
      if (err instanceof ApiError && err.fields?.confirmedBy) form.setFields([{ name: 'confirmedBy', errors: [err.fields.confirmedBy] }]);
      // a refusal's message already names the product and the reason: not the reason again after it
      setError(err instanceof ApiError && (err.code === 'product_unsuitable' || err.code === 'confirmation_required') ? err.message : errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={product !== null}
      title={t('selling.suitability.recommendTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('selling.suitability.save')}
      cancelText={t('selling.suitability.close')}
      okButtonProps={{ loading: saving, 'data-testid': 'recommend-submit' } as React.ComponentProps<typeof Button>}
      destroyOnHidden
    >
      {product && (
        <Typography.Paragraph>
          <strong>{product.name}</strong> <span className="money muted">{product.productCode}</span> <Tag color={RISK_COLOR[product.riskLevel]}>{product.riskLevel}</Tag>
          <br />
          <Typography.Text type="secondary">{product.reason}</Typography.Text>
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" initialValues={{ kind: 'recommendation' }} onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        <Form.Item name="kind" label={t('selling.suitability.kindLabel')}>
          <Radio.Group optionType="button" buttonStyle="solid" options={(['recommendation', 'proposal'] as const).map((k) => ({ value: k, label: t(`selling.suitability.kinds.${k}`) }))} />
        </Form.Item>
        {product?.needsConfirmation && (
          <Form.Item name="confirmedBy" label={t('selling.suitability.confirmedBy')} extra={t('selling.suitability.confirmedByRequired')} rules={[{ required: true, message: t('selling.suitability.confirmedByRequired') }]}>
            <Select
              data-testid="recommend-confirmed-by"
              showSearch
              optionFilterProp="label"
              options={(data?.confirmers ?? []).map((c) => ({ value: c.staffId, label: `${c.name} · ${t(`roles.${c.role}`)}` }))}
            />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('selling.suitability.note')}>
          <Input.TextArea rows={2} maxLength={500} data-testid="recommend-note" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="recommend-error" />}
    </Modal>
  );
}

export function SuitableProductsCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [recommending, setRecommending] = useState<ProductCheck | null>(null);
  const q = useApi(`suitability/${customerId}/${version}/${i18n.language}`, (signal) => sellingApi.suitability(customerId, signal));
  const d = q.data;
  const mayRecommend = can('products.recommend');

  const columns = (suitable: boolean): TableColumnsType<ProductCheck> => [
    {
      key: 'product',
      title: t('selling.suitability.product'),
      render: (_, p) => (
        <span>
          {p.name} <span className="money muted">{p.productCode}</span>
        </span>
      ),
    },
    { key: 'kind', title: t('selling.suitability.kind'), width: 90, render: (_, p) => t(`customer360.kind.${p.kind as 'current'}`, { defaultValue: p.kind }) },
    { key: 'risk', title: t('selling.suitability.risk'), width: 80, render: (_, p) => <Tag color={RISK_COLOR[p.riskLevel]}>{p.riskLevel}</Tag> },
    { key: 'min', title: t('selling.suitability.minAmount'), width: 110, render: (_, p) => <Yuan yuan={p.minAmount} /> },
    {
      key: 'reason',
      title: t('selling.suitability.reason'),
      render: (_, p) => (
        <span data-testid={`suitability-reason-${p.productCode}`}>
          {p.needsConfirmation && <Tag color="orange">{t('selling.suitability.needsConfirmation')}</Tag>}
          {p.reason}
        </span>
      ),
    },
    ...(suitable && mayRecommend
      ? [
          {
            key: 'act',
            title: t('common.actions'),
            width: 90,
            render: (_: unknown, p: ProductCheck) => (
              <Button size="small" onClick={() => setRecommending(p)} data-testid={`recommend-${p.productCode}`}>
                {t('selling.suitability.recommend')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  const assessment = d ? (
    <Space size={6} wrap data-testid="suitability-assessment">
      {d.riskLevel ? <Tag color="blue">{t('selling.suitability.level', { level: d.riskLevel })}</Tag> : <Tag color="red">{t('selling.suitability.noLevel')}</Tag>}
      {d.assessedOn && <Typography.Text type="secondary">{t('selling.suitability.assessedOn', { date: d.assessedOn })}</Typography.Text>}
      {d.assessment === 'expired' && <Tag color="red">{t('selling.suitability.expired')}</Tag>}
      {d.age !== null && <Typography.Text type="secondary">{t('selling.suitability.age', { age: d.age })}</Typography.Text>}
      <Typography.Text type="secondary">{t('selling.suitability.asOf', { date: d.asOf })}</Typography.Text>
    </Space>
  ) : null;

  return (
    <Card
      size="small"
      className="section-card"
      data-testid="suitable-products"
      title={
        <Space size={12} wrap>
          <span>{t('selling.suitability.title')}</span>
          {assessment}
        </Space>
      }
    >
      {q.error && <Alert type="error" showIcon title={q.error.message} />}
      {d?.notice && <Alert type="warning" showIcon title={d.notice} style={{ marginBottom: 8 }} data-testid="suitability-notice" />}
      {d && (
        <Tabs
          size="small"
          items={[
            {
              key: 'suitable',
              label: <span data-testid="suitability-tab-suitable">{t('selling.suitability.suitable', { n: d.suitable.length })}</span>,
              children: <Table<ProductCheck> size="small" rowKey="productCode" columns={columns(true)} dataSource={d.suitable} pagination={false} scroll={{ x: 700 }} />,
            },
            {
              key: 'unsuitable',
              label: <span data-testid="suitability-tab-unsuitable">{t('selling.suitability.unsuitable', { n: d.unsuitable.length })}</span>,
              children: <Table<ProductCheck> size="small" rowKey="productCode" columns={columns(false)} dataSource={d.unsuitable} pagination={false} scroll={{ x: 700 }} />,
            },
            {
              key: 'recent',
              label: t('selling.suitability.recent'),
              children: d.recent.length ? (
                <List
                  size="small"
                  dataSource={d.recent}
                  renderItem={(r) => (
                    <List.Item data-testid={`recommendation-${r.recommendationId}`}>
                      <Space size={6} wrap>
                        <Tag>{t(`selling.suitability.kinds.${r.kind}`)}</Tag>
                        <span>
                          {r.productName ?? r.productCode} <span className="money muted">{r.productCode}</span>
                        </span>
                        <Tag color={RISK_COLOR[r.productRisk]}>{r.productRisk}</Tag>
                        <Typography.Text type="secondary">{t('selling.suitability.by', { name: r.staff.name, at: chinaTime(r.createdAt) })}</Typography.Text>
                        {r.confirmedBy && <Tag color="orange">{t('selling.suitability.confirmed', { name: r.confirmedBy.name })}</Tag>}
                        {r.note && <span className="muted">{r.note}</span>}
                      </Space>
                    </List.Item>
                  )}
                />
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('selling.suitability.none')} />
              ),
            },
          ]}
        />
      )}
      <RecommendDialog
        product={recommending}
        customerId={customerId}
        data={d}
        onClose={() => setRecommending(null)}
        onDone={() => {
          setRecommending(null);
          void message.success(t('selling.suitability.recorded'));
          setVersion((v) => v + 1);
        }}
      />
    </Card>
  );
}
