import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Result, Skeleton, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { sellingApi } from './selling.api.js';

// The printable signing voucher (签约凭证, issue 19 §2): its six fields on an A5 sheet, "已撤销"
// across it when the signing was cancelled, and lines for the signatures. The print stylesheet is
// the page's own (rendered with it, gone when it is left): A5, nothing of the frame printed.

const PRINT_CSS = `
@page { size: A5 portrait; margin: 12mm; }
@media print {
  .frame__header, .frame__sider, .skip-link, .voucher-actions, .ant-message, .ant-notification { display: none !important; }
  .frame__content { padding: 0 !important; margin: 0 !important; overflow: visible !important; }
  html, body, .ant-layout { background: #fff !important; }
  .voucher { border: none !important; box-shadow: none !important; width: auto !important; min-height: 0 !important; padding: 0 !important; }
}
.voucher { position: relative; width: 148mm; max-width: 100%; min-height: 180mm; margin: 0 auto; padding: 14mm 12mm; background: #fff;
  border: 1px solid #d9d9d9; box-shadow: 0 1px 4px rgba(0,0,0,.08); font-size: 14px; color: #000; }
.voucher h1 { text-align: center; font-size: 20px; letter-spacing: 2px; margin: 0 0 4mm; }
.voucher .voucher__bank { text-align: center; margin-bottom: 8mm; color: #333; }
.voucher table { width: 100%; border-collapse: collapse; }
.voucher th, .voucher td { border: 1px solid #333; padding: 3mm 2.5mm; text-align: left; vertical-align: top; }
.voucher th { width: 38%; font-weight: normal; background: #f5f5f5; }
.voucher td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace, sans-serif; }
.voucher .voucher__signatures { display: flex; justify-content: space-between; gap: 8mm; margin-top: 14mm; }
.voucher .voucher__signatures div { flex: 1; border-top: 1px solid #333; padding-top: 2mm; }
.voucher .voucher__note { margin-top: 10mm; font-size: 11px; color: #555; }
.voucher .voucher__stamp { position: absolute; top: 38%; left: 50%; transform: translate(-50%, -50%) rotate(-18deg); border: 3px solid #c00;
  color: #c00; font-size: 28px; font-weight: bold; padding: 2mm 6mm; letter-spacing: 4px; opacity: .85; }
`;

export function VoucherPage() {
  const { t, i18n } = useTranslation();
  const { customerId = '', signingId = '' } = useParams();
  const data = useApi(`voucher/${customerId}/${signingId}/${i18n.language}`, (signal) => sellingApi.signings(customerId, signal));
  const back = `/customers/${encodeURIComponent(customerId)}`;
  if (data.error) {
    return data.error.status === 404 ? (
      <Result status="404" title={<PageTitle>{t('selling.voucher.notFound')}</PageTitle>} />
    ) : (
      <Alert type="error" showIcon title={data.error.message} />
    );
  }
  if (!data.data) {
    return (
      <Card size="small">
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  const signing = data.data.items.find((s) => s.signingId === signingId);
  if (!signing) return <Result status="404" title={<PageTitle>{t('selling.voucher.notFound')}</PageTitle>} extra={<Link to={back}>{t('selling.voucher.back')}</Link>} />;
  const v = signing.voucher;
  const grade = (g: string) => t(`cardGrade.${g as 'gold'}`);
  return (
    <div data-testid="voucher-page">
      <style>{PRINT_CSS}</style>
      <Space className="voucher-actions" style={{ marginBottom: 12 }}>
        <Link to={back}>
          <Button icon={<ArrowLeftOutlined />}>{t('selling.voucher.back')}</Button>
        </Link>
        {v && (
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="voucher-print">
            {t('selling.voucher.print')}
          </Button>
        )}
      </Space>
      {!v ? (
        <Alert type="info" showIcon title={t('selling.voucher.notSigned')} data-testid="voucher-none" />
      ) : (
        <div className="voucher" data-testid="voucher">
          <PageTitle>{t('selling.voucher.title')}</PageTitle>
          <div className="voucher__bank">{signing.branch.name}</div>
          {v.cancelled && (
            <div className="voucher__stamp" data-testid="voucher-cancelled">
              {t('selling.voucher.cancelled')}
            </div>
          )}
          <table>
            <tbody>
              <tr>
                <th>{t('selling.voucher.agreementNo')}</th>
                <td data-testid="voucher-agreement-no">{v.agreementNo}</td>
              </tr>
              <tr>
                <th>{t('selling.voucher.customerId')}</th>
                <td data-testid="voucher-customer-id">{v.customerId}</td>
              </tr>
              <tr>
                <th>{t('selling.voucher.customerName')}</th>
                <td data-testid="voucher-customer-name">{v.customerName}</td>
              </tr>
              <tr>
                <th>{t('selling.voucher.qualifiedGrades')}</th>
                <td data-testid="voucher-qualified">{v.qualifiedGrades.length ? v.qualifiedGrades.map(grade).join('、') : t('selling.voucher.none')}</td>
              </tr>
              <tr>
                <th>{t('selling.voucher.appliedGrade')}</th>
                <td data-testid="voucher-applied">{grade(v.appliedGrade)}</td>
              </tr>
              <tr>
                <th>{t('selling.voucher.signedAt')}</th>
                <td data-testid="voucher-signed-at">{v.signedAt.slice(0, 19).replace('T', ' ')}</td>
              </tr>
            </tbody>
          </table>
          <div className="voucher__signatures">
            <div>{t('selling.voucher.customerSignature')}</div>
            <div>{t('selling.voucher.staffSignature')}</div>
            <div>{t('selling.voucher.date')}</div>
          </div>
          <div className="voucher__note">{t('selling.voucher.note')}</div>
        </div>
      )}
    </div>
  );
}
