import { CheckOutlined, CloseOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Empty, Form, Input, Modal, Space, Table, Tabs, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { CardGradeTag } from '../customers/customer-tags.js';
import { Wan } from '../customers/money.view.js';
import { CustomerLink, errorText } from '../ownership/ownership.parts.js';
import { sellingApi, voucherPath, type Signing } from './selling.api.js';
import { SigningStatusTag, whoWhen } from './vip-signing.card.js';

// VIP signings (issue 19 §2): for an approver (a branch head gold and platinum, the department
// diamond) the signings waiting for them, to approve or reject with a reason, and those they
// decided; for whoever requests signings, their requests with the outcome and the voucher.

type View = 'pending' | 'decided' | 'mine';

function RejectDialog({ signing, onClose, onDone }: { signing: Signing | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async (v: { reason: string }) => {
    if (!signing) return;
    setSaving(true);
    try {
      await sellingApi.decide(signing.customerId, signing.signingId, 'reject', v.reason.trim());
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
      title={t('selling.approvals.rejectTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('selling.approvals.reject')}
      cancelText={t('selling.card.close')}
      okButtonProps={{ loading: saving, danger: true }}
      destroyOnHidden
    >
      {signing && (
        <Typography.Paragraph>
          <CustomerLink customer={{ customerId: signing.customerId, name: signing.customerName }} /> <CardGradeTag grade={signing.grade} />
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} preserve={false}>
        <Form.Item name="reason" label={t('selling.approvals.rejectReason')} rules={[{ required: true, whitespace: true, message: t('selling.card.reasonRequired') }]}>
          <Input.TextArea rows={2} maxLength={500} data-testid="reject-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function SigningsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const approver = can('signings.approve');
  const [view, setView] = useState<View>(approver ? 'pending' : 'mine');
  const [version, setVersion] = useState(0);
  const [rejecting, setRejecting] = useState<Signing | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const list = useApi(`signings/${view}/${version}/${i18n.language}`, (signal) => (view === 'mine' ? sellingApi.mine(signal) : sellingApi.approvals(view, signal)));
  const pending = useApi(`signings/pending-count/${version}`, (signal) => (approver ? sellingApi.approvals('pending', signal) : Promise.resolve(undefined)));
  const reload = () => setVersion((v) => v + 1);

  const approve = async (s: Signing) => {
    setBusy(s.signingId);
    try {
      await sellingApi.decide(s.customerId, s.signingId, 'approve');
      void message.success(t('selling.approvals.approved'));
      reload();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<Signing> = [
    { key: 'customer', title: t('selling.approvals.customer'), render: (_, s) => <CustomerLink customer={{ customerId: s.customerId, name: s.customerName }} /> },
    { key: 'grade', title: t('selling.card.grade'), width: 90, render: (_, s) => <CardGradeTag grade={s.grade} /> },
    { key: 'status', title: t('selling.card.status'), width: 100, render: (_, s) => <SigningStatusTag signing={s} /> },
    { key: 'aum', title: t('selling.approvals.aum'), render: (_, s) => (s.aumAvgMtd ? <Wan yuan={s.aumAvgMtd} /> : '—') },
    {
      key: 'qualified',
      title: t('selling.approvals.qualified'),
      render: (_, s) => (s.qualifiedAtRequest.length ? <Space size={2}>{s.qualifiedAtRequest.map((g) => <CardGradeTag key={g} grade={g} />)}</Space> : t('selling.approvals.none')),
    },
    { key: 'requested', title: t('selling.card.requested'), render: (_, s) => whoWhen(s.requestedBy, s.requestedAt) },
    {
      key: 'decision',
      title: t('selling.approvals.decision'),
      render: (_, s) =>
        s.decidedBy ? (
          <span>
            {whoWhen(s.decidedBy, s.decidedAt)}
            {s.decisionReason && <div className="muted">{s.decisionReason}</div>}
          </span>
        ) : s.status === 'pending_approval' && s.approverRole ? (
          <Typography.Text type="secondary">{t(`selling.approvers.${s.approverRole}`)}</Typography.Text>
        ) : null,
    },
    { key: 'no', title: t('selling.card.agreementNo'), render: (_, s) => <span className="money">{s.voucher?.agreementNo ?? '—'}</span> },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, s) => (
        <Space size={4} wrap>
          {view === 'pending' && s.status === 'pending_approval' && (
            <>
              <Button size="small" type="primary" icon={<CheckOutlined />} loading={busy === s.signingId} onClick={() => void approve(s)} data-testid={`approve-${s.signingId}`}>
                {t('selling.approvals.approve')}
              </Button>
              <Button size="small" danger icon={<CloseOutlined />} onClick={() => setRejecting(s)} data-testid={`reject-${s.signingId}`}>
                {t('selling.approvals.reject')}
              </Button>
            </>
          )}
          {s.voucher && (
            <Link to={voucherPath(s.customerId, s.signingId)}>
              <Button size="small" icon={<PrinterOutlined />}>
                {t('selling.card.print')}
              </Button>
            </Link>
          )}
        </Space>
      ),
    },
  ];

  const tabs = [
    ...(approver
      ? [
          {
            key: 'pending',
            label: (
              <span data-testid="signings-tab-pending">
                {t('selling.approvals.toApprove')} <Badge count={pending.data?.total ?? 0} showZero overflowCount={999} />
              </span>
            ),
          },
          { key: 'decided', label: <span data-testid="signings-tab-decided">{t('selling.approvals.decided')}</span> },
        ]
      : []),
    { key: 'mine', label: <span data-testid="signings-tab-mine">{t('selling.approvals.mine')}</span> },
  ];
  return (
    <Card size="small" className="section-card" data-testid="signings-page">
      <PageTitle>{t('selling.approvals.title')}</PageTitle>
      <Tabs activeKey={view} onChange={(k) => setView(k as View)} items={tabs} />
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table<Signing>
        size="small"
        rowKey="signingId"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(s) => ({ 'data-testid': `signing-row-${s.signingId}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('selling.approvals.empty')} /> }}
        scroll={{ x: 1100 }}
      />
      <RejectDialog
        signing={rejecting}
        onClose={() => setRejecting(null)}
        onDone={() => {
          setRejecting(null);
          void message.success(t('selling.approvals.rejected'));
          reload();
        }}
      />
    </Card>
  );
}
