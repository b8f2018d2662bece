import { Alert, Button, Modal, Radio, Result, Space, Spin, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../app/use-api.js';
import { CardGradeTag } from '../customers/customer-tags.js';
import { Wan } from '../customers/money.view.js';
import { errorText } from '../ownership/ownership.parts.js';
import { GRADE_LIST, sellingApi, voucherPath, type SignResult, type VipGrade } from './selling.api.js';

// Signing a customer for a VIP card grade (issue 19 §2), from the 360 page's VIP signing card or a
// vip_card_due reminder on My day: the grades the customer qualifies for today, the grade to sign,
// and what happens (signed at once with its voucher, or sent to the approver).

/** 月日均资产 12.30万 · 数据日期 2026-11-20, or why there is none. */
export function AumAvgMtd({ aumAvgMtd, asOf }: { aumAvgMtd: string | null; asOf: string | null }) {
  const { t } = useTranslation();
  if (!aumAvgMtd || !asOf) return <Typography.Text type="secondary">{t('selling.card.noFacts')}</Typography.Text>;
  return (
    <Space size={6} data-testid="aum-avg-mtd">
      <span>{t('selling.card.aumAvgMtd')}</span>
      <strong>
        <Wan yuan={aumAvgMtd} />
      </strong>
      <Typography.Text type="secondary">{t('selling.card.asOf', { date: asOf })}</Typography.Text>
    </Space>
  );
}

export function SignDialog({ open, customerId, grade, onClose, onDone }: { open: boolean; customerId: string; grade?: VipGrade | undefined; onClose: () => void; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const standing = useApi(`signings/${customerId}/${open}/${i18n.language}`, (signal) => (open ? sellingApi.signings(customerId, signal) : Promise.resolve(undefined)));
  const [chosen, setChosen] = useState<VipGrade | undefined>(grade);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SignResult | null>(null);
  useEffect(() => {
    if (!open) return;
    setChosen(grade);
    setResult(null);
    setError(null);
  }, [open, grade]);
  const data = standing.data;
  const pick = chosen ? data?.grades.find((g) => g.grade === chosen) : undefined;
  const submit = async () => {
    if (!chosen) return;
    setSaving(true);
    setError(null);
    try {
      setResult(await sellingApi.sign(customerId, chosen));
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  const gradeName = (g: VipGrade) => t(`cardGrade.${g}`);
  return (
    <Modal
      open={open}
      title={t('selling.sign.title')}
      onCancel={onClose}
      destroyOnHidden
      footer={
        result
          ? [
              <Button key="close" onClick={onClose}>
                {t('selling.card.close')}
              </Button>,
            ]
          : [
              <Button key="close" onClick={onClose}>
                {t('selling.card.close')}
              </Button>,
              <Button key="sign" type="primary" loading={saving} disabled={!chosen || !data} onClick={() => void submit()} data-testid="sign-submit">
                {t('selling.sign.submit')}
              </Button>,
            ]
      }
    >
      {standing.error && <Alert type="error" showIcon title={standing.error.message} />}
      {!data && standing.loading && <Spin />}
      {result?.status === 'signed' && (
        <Result
          status="success"
          title={t('selling.sign.signed', { no: result.voucher.agreementNo })}
          data-testid="sign-result-signed"
          extra={
            <Link to={voucherPath(customerId, result.signing.signingId)} data-testid="sign-result-print">
              <Button type="primary">{t('selling.sign.print')}</Button>
            </Link>
          }
        />
      )}
      {result?.status === 'pending_approval' && <Result status="info" title={t('selling.sign.pending', { approver: t(`selling.approvers.${result.approverRole}`) })} data-testid="sign-result-pending" />}
      {data && !result && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <AumAvgMtd aumAvgMtd={data.aumAvgMtd} asOf={data.asOf} />
          <Radio.Group value={chosen} onChange={(e) => setChosen(e.target.value as VipGrade)} aria-label={t('selling.sign.grade')} data-testid="sign-grade">
            <Space orientation="vertical">
              {GRADE_LIST.map((g) => {
                const s = data.grades.find((x) => x.grade === g);
                return (
                  <Radio key={g} value={g} data-testid={`sign-grade-${g}`}>
                    <Space size={6}>
                      <CardGradeTag grade={g} />
                      <span>{t('selling.card.standard')}</span>
                      {s && <Wan yuan={s.standard} />}
                      <Typography.Text type={s?.qualifies ? 'success' : 'secondary'}>
                        {s?.qualifies ? t('selling.card.qualifies') : t('selling.card.needsApproval', { approver: t(`selling.approvers.${s?.approverRole ?? 'branch_head'}`) })}
                      </Typography.Text>
                    </Space>
                  </Radio>
                );
              })}
            </Space>
          </Radio.Group>
          {pick && chosen && (
            <Alert
              type={pick.qualifies ? 'success' : 'warning'}
              showIcon
              data-testid="sign-what-happens"
              title={pick.qualifies ? t('selling.sign.automatic', { grade: gradeName(chosen) }) : t('selling.sign.approval', { grade: gradeName(chosen), approver: t(`selling.approvers.${pick.approverRole ?? 'branch_head'}`) })}
            />
          )}
          {error && <Alert type="error" showIcon title={error} data-testid="sign-error" />}
        </Space>
      )}
    </Modal>
  );
}

/**
 * "Sign" on a vip_card_due reminder of My day: the dialog with the reminder's grade chosen; once
 * the signing is made (or sent for approval) `onSigned` runs (My day closes the reminder).
 */
export function SignReminderButton({ customerId, grade, onSigned, testId }: { customerId: string; grade: string | undefined; onSigned: () => void; testId?: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // signed (or sent for approval), and whether `onSigned` has run: once, when the dialog closes or
  // when the page is left from it (its "print the voucher" opens the voucher page)
  const signed = useRef({ signed: false, reported: false });
  const latest = useRef(onSigned);
  useEffect(() => {
    latest.current = onSigned;
  });
  const report = useCallback(() => {
    if (!signed.current.signed || signed.current.reported) return;
    signed.current.reported = true;
    latest.current();
  }, []);
  useEffect(() => report, [report]);
  const chosen = GRADE_LIST.find((g) => g === grade);
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)} data-testid={testId}>
        {t('selling.card.sign')}
      </Button>
      <SignDialog
        open={open}
        customerId={customerId}
        grade={chosen}
        onClose={() => {
          setOpen(false);
          report();
        }}
        onDone={() => {
          signed.current.signed = true;
        }}
      />
    </>
  );
}
