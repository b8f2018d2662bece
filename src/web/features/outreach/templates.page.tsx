import { App, Button, Card, Col, DatePicker, Empty, Form, Input, Modal, Radio, Row, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { outreachApi, type Preview, type Template } from './outreach.api.js';

// Message templates (短信模板, issue 21 §2): the list of the branch's and the bank-wide templates
// with their state; an editor whose characters, SMS segments and preview (for a chosen customer)
// follow the text as it is typed; submit, and approve or reject for the heads who decide.

type Status = Template['status'];
const STATUS_COLOR: Record<Status, string> = { draft: 'default', submitted: 'orange', approved: 'green', rejected: 'red' };

interface Draft {
  name: string;
  kind: 'marketing' | 'service';
  body: string;
}

export function TemplatesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<Template | null>(null);
  const [draft, setDraft] = useState<Draft>({ name: '', kind: 'marketing', body: '' });
  const [customerId, setCustomerId] = useState('');
  const [product, setProduct] = useState('');
  const [date, setDate] = useState<Dayjs | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<Template | null>(null);
  const [note, setNote] = useState('');
  const list = useApi(`templates/${version}/${i18n.language}`, (signal) => outreachApi.templates(signal));

  // the live preview: a moment after the last keystroke, the previous request abandoned
  useEffect(() => {
    if (!draft.body.trim()) {
      setPreview(null);
      setPreviewError(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      outreachApi
        .preview({ body: draft.body, kind: draft.kind, ...(customerId.trim() ? { customerId: customerId.trim() } : {}), ...(product.trim() ? { product: product.trim() } : {}), ...(date ? { date: date.format('YYYY-MM-DD') } : {}) }, controller.signal)
        .then((p) => {
          setPreview(p);
          setPreviewError(null);
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          // the field's own words ("unknown placeholder {姓} at character 5") under the text
          setPreviewError(err instanceof ApiError && err.fields?.body ? err.fields.body : errorText(err));
          setPreview(null);
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft.body, draft.kind, customerId, product, date, i18n.language]);

  const act = async (work: () => Promise<Template>, done: string) => {
    try {
      const saved = await work();
      message.success(done);
      setEditing(saved);
      setVersion((v) => v + 1);
      return saved;
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
      return null;
    }
  };
  const save = () => act(() => (editing ? outreachApi.updateTemplate(editing.templateId, draft) : outreachApi.createTemplate(draft)), t('outreach.templates.saved'));
  const open = (x: Template) => {
    setEditing(x);
    setDraft({ name: x.name, kind: x.kind, body: x.body });
  };
  const fresh = () => {
    setEditing(null);
    setDraft({ name: '', kind: 'marketing', body: '' });
  };

  const columns: TableColumnsType<Template> = [
    { key: 'name', title: t('outreach.templates.name'), render: (_, x) => x.name },
    { key: 'kind', title: t('outreach.templates.kind'), width: 100, render: (_, x) => t(`outreach.templates.kinds.${x.kind}`) },
    { key: 'version', title: t('outreach.templates.version'), width: 60, align: 'right', render: (_, x) => x.version },
    {
      key: 'status',
      title: t('outreach.templates.status'),
      width: 110,
      render: (_, x) => (
        <Tag color={STATUS_COLOR[x.status]} data-testid={`template-status-${x.templateId}`}>
          {t(`outreach.templates.statuses.${x.status}`)}
        </Tag>
      ),
    },
    { key: 'branch', title: t('outreach.templates.branch'), render: (_, x) => x.branch?.name ?? t('outreach.templates.bankWide') },
    { key: 'by', title: t('outreach.templates.createdBy'), width: 90, render: (_, x) => x.createdBy.name },
    {
      key: 'actions',
      title: t('outreach.templates.actions'),
      render: (_, x) => (
        <Space size={4} wrap>
          <Button size="small" onClick={() => open(x)} data-testid={`template-open-${x.templateId}`}>
            {t('outreach.templates.edit')}
          </Button>
          {x.editable && (x.status === 'draft' || x.status === 'rejected') && (
            <Button size="small" onClick={() => void act(() => outreachApi.submit(x.templateId), t('outreach.templates.submitted'))} data-testid={`template-submit-${x.templateId}`}>
              {t('outreach.templates.submit')}
            </Button>
          )}
          {x.decidable && (
            <>
              <Button size="small" type="primary" onClick={() => void act(() => outreachApi.decide(x.templateId, 'approve'), t('outreach.templates.decided'))} data-testid={`template-approve-${x.templateId}`}>
                {t('outreach.templates.approve')}
              </Button>
              <Button size="small" danger onClick={() => setRejecting(x)} data-testid={`template-reject-${x.templateId}`}>
                {t('outreach.templates.reject')}
              </Button>
            </>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="templates-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <PageTitle>{t('outreach.templates.title')}</PageTitle>
        <Typography.Text type="secondary">{t('outreach.templates.hint')}</Typography.Text>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={11}>
          <Form layout="vertical">
            <Form.Item label={t('outreach.templates.name')} htmlFor="template-name">
              <Input id="template-name" value={draft.name} maxLength={60} onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="template-name" />
            </Form.Item>
            <Form.Item label={t('outreach.templates.kind')}>
              <Radio.Group value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Draft['kind'] })} data-testid="template-kind">
                <Radio value="marketing">{t('outreach.templates.kinds.marketing')}</Radio>
                <Radio value="service">{t('outreach.templates.kinds.service')}</Radio>
              </Radio.Group>
            </Form.Item>
            <Form.Item label={t('outreach.templates.body')} htmlFor="template-body" validateStatus={previewError ? 'error' : ''} help={previewError ?? undefined}>
              <Input.TextArea id="template-body" rows={5} maxLength={1000} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} data-testid="template-body" />
            </Form.Item>
            <Row gutter={8}>
              <Col span={8}>
                <Form.Item label={t('outreach.templates.customer')} htmlFor="template-customer">
                  <Input id="template-customer" value={customerId} placeholder={t('outreach.templates.customerPlaceholder')} onChange={(e) => setCustomerId(e.target.value)} data-testid="template-customer" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item label={t('outreach.templates.product')} htmlFor="template-product">
                  <Input id="template-product" value={product} maxLength={40} onChange={(e) => setProduct(e.target.value)} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item label={t('outreach.templates.date')} htmlFor="template-date">
                  <DatePicker id="template-date" value={date} onChange={(d) => setDate(d)} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
          <Card size="small" title={t('outreach.templates.message')} data-testid="template-preview">
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="template-message">
              {preview?.message ?? '—'}
            </Typography.Paragraph>
            <Space>
              <Tag data-testid="template-chars">{t('outreach.templates.chars', { n: preview?.chars ?? 0 })}</Tag>
              <Tag color="blue" data-testid="template-segments">
                {t('outreach.templates.segments', { n: preview?.segments ?? 0 })}
              </Tag>
            </Space>
          </Card>
          <Space style={{ marginTop: 12 }} wrap>
            <Button type="primary" onClick={() => void save()} disabled={editing !== null && !editing.editable} data-testid="template-save">
              {t('outreach.templates.save')}
            </Button>
            <Button onClick={fresh}>{t('outreach.templates.newTemplate')}</Button>
          </Space>
          {editing?.status === 'approved' && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('outreach.templates.editApproved')}</Typography.Paragraph>}
        </Col>
        <Col xs={24} lg={13}>
          <Typography.Title level={2} style={{ fontSize: 16 }}>{t('outreach.templates.list')}</Typography.Title>
          <Table<Template>
            size="small"
            rowKey="templateId"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.loading}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('outreach.templates.empty')} /> }}
            data-testid="template-list"
          />
        </Col>
      </Row>
      <Modal
        open={rejecting !== null}
        title={t('outreach.templates.reject')}
        okText={t('outreach.templates.reject')}
        cancelText={t('outreach.templates.cancel')}
        onCancel={() => setRejecting(null)}
        onOk={() => {
          if (!note.trim()) {
            message.warning(t('outreach.templates.rejectNeedsNote'));
            return;
          }
          const x = rejecting;
          if (!x) return;
          void act(() => outreachApi.decide(x.templateId, 'reject', note.trim()), t('outreach.templates.decided')).then(() => {
            setRejecting(null);
            setNote('');
          });
        }}
        destroyOnHidden
      >
        <Input.TextArea aria-label={t('outreach.templates.rejectNote')} placeholder={t('outreach.templates.rejectNote')} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} data-testid="template-reject-note" />
      </Modal>
    </Card>
  );
}
