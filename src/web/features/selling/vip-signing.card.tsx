import { CreditCardOutlined, PrinterOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { CardGradeTag } from '../customers/customer-tags.js';
import { Wan } from '../customers/money.view.js';
import { errorText } from '../ownership/ownership.parts.js';
import { GRADE_LIST, sellingApi, voucherPath, type Signing } from './selling.api.js';
import { AumAvgMtd, SignDialog } from './sign-dialog.js';

// The VIP signing card of the 360 page (issue 19 §2): the grades the customer qualifies for today,
// "sign", and every signing with its voucher (print), its approval, cancelling, the card recorded
// as issued and the card the feed delivered.

export const STATUS_COLOR: Record<Signing['status'], string> = { pending_approval: 'orange', signed: 'green', rejected: 'red', cancelled: 'default' };

export function SigningStatusTag({ signing }: { signing: Signing }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[signing.status]} data-testid={`signing-status-${signing.signingId}`}>
      {t(`selling.statuses.${signing.status}`)}
    </Tag>
  );
}

/** Who and when, in China time: "王芳 · 2026-12-05 10:31". */
export const whoWhen = (staff: { name: string } | null, at: string | null) => (staff && at ? `${staff.name} · ${chinaTime(at)}` : '');

/** Asks the reason, then cancels the signing (the voucher is kept, marked cancelled). */
function CancelDialog({ signing, onClose, onDone }: { signing: Signing | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async (v: { reason: string }) => {
    if (!signing) return;
    setSaving(true);
    try {
      await sellingApi.cancel(signing.customerId, signing.signingId, v.reason.trim());
      onDone();
    } catch (err) {
      form.setFields([{ name: 'reason', errors: [err instanceof ApiError ? (err.fields?.reason ?? errorText(err)) : errorText(err)] }]);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={signing !== null}
      title={t('selling.card.cancelTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('selling.card.confirm')}
      cancelText={t('selling.card.close')}
      okButtonProps={{ loading: saving, danger: true }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('selling.card.cancelHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        <Form.Item name="reason" label={t('selling.card.cancelReason')} rules={[{ required: true, whitespace: true, message: t('selling.card.reasonRequired') }]}>
          <Input.TextArea rows={2} maxLength={500} data-testid="cancel-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The card the signing led to: recorded as issued, and the card of that grade the feed delivered. */
function CardCell({ signing }: { signing: Signing }) {
  const { t } = useTranslation();
  if (!signing.voucher) return null;
  return (
    <Space orientation="vertical" size={0}>
      {signing.cardIssuedAt && <span>{t('selling.card.cardIssuedAt', { at: chinaTime(signing.cardIssuedAt) })}</span>}
      {signing.card ? (
        <Typography.Text type="success" data-testid={`signing-card-${signing.signingId}`}>
          {t('selling.card.cardArrived', { cardId: signing.card.cardId, date: signing.card.issuedOn })}
        </Typography.Text>
      ) : (
        signing.cardIssuedAt && <Typography.Text type="secondary">{t('selling.card.cardWaiting')}</Typography.Text>
      )}
    </Space>
  );
}

export function VipSigningCard({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [signing, setSigning] = useState(false);
  const [cancelling, setCancelling] = useState<Signing | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const data = useApi(`signings/${customerId}/${version}/${i18n.language}`, (signal) => sellingApi.signings(customerId, signal));
  const reload = () => setVersion((v) => v + 1);
  const mayAct = can('signings.request');

  const cardIssued = async (s: Signing) => {
    setBusy(s.signingId);
    try {
      await sellingApi.cardIssued(s.customerId, s.signingId);
      void message.success(t('selling.card.cardIssuedOk'));
      reload();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<Signing> = [
    { key: 'no', title: t('selling.card.agreementNo'), render: (_, s) => <span className="money">{s.voucher?.agreementNo ?? '—'}</span> },
    { key: 'grade', title: t('selling.card.grade'), width: 90, render: (_, s) => <CardGradeTag grade={s.grade} /> },
    { key: 'status', title: t('selling.card.status'), width: 100, render: (_, s) => <SigningStatusTag signing={s} /> },
    { key: 'requested', title: t('selling.card.requested'), render: (_, s) => whoWhen(s.requestedBy, s.requestedAt) },
    {
      key: 'decided',
      title: t('selling.card.decided'),
      render: (_, s) =>
        s.decidedBy ? (
          <span>
            {whoWhen(s.decidedBy, s.decidedAt)}
            {s.decisionReason && <div className="muted">{s.decisionReason}</div>}
          </span>
        ) : s.approverRole && s.status === 'pending_approval' ? (
          <Typography.Text type="secondary">{t(`selling.approvers.${s.approverRole}`)}</Typography.Text>
        ) : s.cancelReason ? (
          <span className="muted">{s.cancelReason}</span>
        ) : null,
    },
    { key: 'card', title: t('selling.card.card'), render: (_, s) => <CardCell signing={s} /> },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, s) => (
        <Space size={4} wrap>
          {s.voucher && (
            <Link to={voucherPath(s.customerId, s.signingId)} data-testid={`signing-print-${s.signingId}`}>
              <Button size="small" icon={<PrinterOutlined />}>
                {t('selling.card.print')}
              </Button>
            </Link>
          )}
          {mayAct && s.status === 'signed' && !s.cardIssuedAt && (
            <Button size="small" icon={<CreditCardOutlined />} loading={busy === s.signingId} onClick={() => void cardIssued(s)} data-testid={`signing-card-issued-${s.signingId}`}>
              {t('selling.card.cardIssued')}
            </Button>
          )}
          {mayAct && (s.status === 'signed' || s.status === 'pending_approval') && (
            <Button size="small" icon={<StopOutlined />} onClick={() => setCancelling(s)} data-testid={`signing-cancel-${s.signingId}`}>
              {t('selling.card.cancel')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  const d = data.data;
  return (
    <Card
      size="small"
      className="section-card"
      data-testid="vip-signing"
      title={
        <Space size={12} wrap>
          <span>{t('selling.card.title')}</span>
          {d && <AumAvgMtd aumAvgMtd={d.aumAvgMtd} asOf={d.asOf} />}
        </Space>
      }
      extra={
        mayAct ? (
          <Button size="small" type="primary" onClick={() => setSigning(true)} data-testid="sign-button">
            {t('selling.card.sign')}
          </Button>
        ) : null
      }
    >
      {data.error && <Alert type="error" showIcon title={data.error.message} />}
      {d && (
        <Space size={16} wrap style={{ marginBottom: 8 }} data-testid="signing-grades">
          {GRADE_LIST.map((g) => {
            const s = d.grades.find((x) => x.grade === g);
            return (
              <Space key={g} size={4} data-testid={`signing-grade-${g}`} data-qualifies={s?.qualifies ? 'true' : 'false'}>
                <CardGradeTag grade={g} />
                <span className="muted">{t('selling.card.standard')}</span>
                {s && <Wan yuan={s.standard} />}
                <Typography.Text type={s?.qualifies ? 'success' : 'secondary'}>
                  {s?.qualifies ? t('selling.card.qualifies') : t('selling.card.needsApproval', { approver: t(`selling.approvers.${s?.approverRole ?? 'branch_head'}`) })}
                </Typography.Text>
              </Space>
            );
          })}
        </Space>
      )}
      {d && d.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('selling.card.none')} />}
      {d && d.items.length > 0 && (
        <Table<Signing>
          size="small"
          rowKey="signingId"
          columns={columns}
          dataSource={d.items}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          onRow={(s) => ({ 'data-testid': `signing-${s.signingId}` }) as React.HTMLAttributes<HTMLElement>}
          scroll={{ x: 900 }}
        />
      )}
      <SignDialog open={signing} customerId={customerId} grade={d?.qualifies.at(-1) ?? 'gold'} onClose={() => setSigning(false)} onDone={reload} />
      <CancelDialog
        signing={cancelling}
        onClose={() => setCancelling(null)}
        onDone={() => {
          setCancelling(null);
          void message.success(t('selling.card.cancelled'));
          reload();
        }}
      />
    </Card>
  );
}
