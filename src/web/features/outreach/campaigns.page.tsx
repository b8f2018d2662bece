import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Input, InputNumber, Progress, Row, Select, Space, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { EChart, type ChartOption } from '../../app/echart.js';
import { PageTitle } from '../../app/page-title.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { outreachApi, type Campaign, type CampaignItem, type Counted, type Preview } from './outreach.api.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

// SMS campaigns (短信活动, issue 21 §3 and §6): made from a saved group and an approved template
// (each recipient's message previewed through the templates' preview), approved by the head,
// sent; a campaign's messages counted and, 30 days after the send, its recipients set against the
// held-out customers in a bar chart. The server sends in the background: while a send runs the
// page asks for the campaign every 1.5 seconds and shows a progress bar, then the counts.

type Status = CampaignItem['status'];
const STATUS_COLOR: Record<Status, string> = { draft: 'orange', approved: 'blue', sending: 'processing', done: 'green' };
const REASONS = ['no_phone', 'opted_out', 'no_consent', 'do_not_disturb', 'weekly_limit', 'left'] as const;

interface Draft {
  name: string;
  groupId: string | null;
  templateId: string | null;
  holdoutPercent: number;
}

export function CampaignsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [draft, setDraft] = useState<Draft>({ name: '', groupId: null, templateId: null, holdoutPercent: 10 });
  const [members, setMembers] = useState<Counted | null>(null);
  const [recipient, setRecipient] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = useApi(`campaigns/${version}/${i18n.language}`, (signal) => outreachApi.campaigns(signal));
  const groups = useApi(`campaign-groups/${i18n.language}`, (signal) => outreachApi.groups(signal).catch(() => ({ items: [] })));
  const templates = useApi(`campaign-templates/${i18n.language}`, (signal) => outreachApi.templates(signal).catch(() => ({ items: [] })));
  const approvedTemplates = useMemo(() => (templates.data?.items ?? []).filter((x) => x.status === 'approved'), [templates.data]);
  const template = approvedTemplates.find((x) => x.templateId === draft.templateId) ?? null;

  // the group's first members (highest AUM first), to preview a recipient's message
  useEffect(() => {
    setMembers(null);
    setRecipient(null);
    const group = (groups.data?.items ?? []).find((g) => g.groupId === draft.groupId);
    if (!group) return undefined;
    const controller = new AbortController();
    outreachApi
      .count(group.filter, controller.signal)
      .then((c) => {
        setMembers(c);
        setRecipient(c.preview[0]?.customerId ?? null);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [draft.groupId, groups.data]);

  useEffect(() => {
    setPreview(null);
    if (!template) return undefined;
    const controller = new AbortController();
    outreachApi
      .preview({ body: template.body, kind: template.kind, ...(recipient ? { customerId: recipient } : {}) }, controller.signal)
      .then(setPreview)
      .catch(() => undefined);
    return () => controller.abort();
  }, [template, recipient]);

  const detail = useApi(`campaign/${openId ?? ''}/${version}/${i18n.language}`, (signal) => (openId ? outreachApi.campaign(openId, signal) : Promise.resolve(null)));

  // a send under way: its campaign asked for again every 1.5 s; when it ends, the counts said
  const sendState = detail.data?.send?.state;
  const sending = sendState === 'queued' || sendState === 'running';
  const followed = useRef<string | null>(null);
  useEffect(() => {
    if (!sending) return undefined;
    const timer = setTimeout(() => setVersion((v) => v + 1), 1500);
    return () => clearTimeout(timer);
  }, [sending, detail.data]);
  useEffect(() => {
    const c = detail.data;
    if (!c?.send || followed.current !== c.send.jobId || sending) return;
    followed.current = null;
    const at = c.send.waitsUntil;
    if (c.send.state === 'done') message.success(t('outreach.campaigns.sendDone', { sent: c.messages.sent, skipped: c.messages.skipped }));
    else if (c.send.state === 'waiting' && at) message.info(t('outreach.campaigns.waits', { at: new Date(at).toLocaleString(i18n.language === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' }) }));
    else if (c.send.error) message.error(c.send.error);
  }, [detail.data, sending, message, t, i18n.language]);

  const act = async (work: () => Promise<Campaign>, done: (c: Campaign) => string) => {
    setBusy(true);
    try {
      const c = await work();
      message.success(done(c));
      setOpenId(c.campaignId);
      setVersion((v) => v + 1);
      return c;
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
      return null;
    } finally {
      setBusy(false);
    }
  };
  const make = () => {
    if (!draft.name.trim() || !draft.groupId || !draft.templateId) {
      message.warning(t('outreach.campaigns.needsAll'));
      return;
    }
    const body = { name: draft.name.trim(), groupId: draft.groupId, templateId: draft.templateId, holdoutPercent: draft.holdoutPercent };
    void act(() => outreachApi.createCampaign(body), () => t('outreach.campaigns.made')).then((c) => {
      if (c) setDraft({ ...draft, name: '' });
    });
  };
  const send = async (id: string) => {
    setBusy(true);
    try {
      const job = await outreachApi.sendCampaign(id);
      followed.current = job.jobId;
      message.info(t('outreach.campaigns.sendStarted'));
      setOpenId(id);
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<CampaignItem> = [
    { key: 'name', title: t('outreach.campaigns.name'), render: (_, x) => x.name },
    { key: 'kind', title: t('outreach.campaigns.kind'), width: 90, render: (_, x) => t(`outreach.campaigns.kinds.${x.kind}`) },
    {
      key: 'status',
      title: t('outreach.campaigns.status'),
      width: 110,
      render: (_, x) => (
        <Tag color={STATUS_COLOR[x.status]} data-testid={`campaign-status-${x.campaignId}`}>
          {t(`outreach.campaigns.statuses.${x.status}`)}
        </Tag>
      ),
    },
    { key: 'members', title: t('outreach.campaigns.members'), width: 80, align: 'right', render: (_, x) => x.members.toLocaleString() },
    { key: 'heldOut', title: t('outreach.campaigns.heldOut'), width: 80, align: 'right', render: (_, x) => x.heldOut.toLocaleString() },
    { key: 'by', title: t('outreach.campaigns.createdBy'), width: 90, render: (_, x) => x.createdBy.name },
    {
      key: 'actions',
      title: t('outreach.campaigns.actions'),
      render: (_, x) => (
        <Space size={4} wrap>
          <Button size="small" onClick={() => setOpenId(x.campaignId)} data-testid={`campaign-open-${x.campaignId}`}>
            {t('outreach.campaigns.open')}
          </Button>
          {x.approvable && (
            <Button size="small" type="primary" disabled={busy} onClick={() => void act(() => outreachApi.approveCampaign(x.campaignId), () => t('outreach.campaigns.approved'))} data-testid={`campaign-approve-${x.campaignId}`}>
              {t('outreach.campaigns.approve')}
            </Button>
          )}
          {x.sendable && (
            <Button size="small" type="primary" disabled={busy} onClick={() => void send(x.campaignId)} data-testid={`campaign-send-${x.campaignId}`}>
              {t('outreach.campaigns.send')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="campaigns-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <PageTitle>{t('outreach.campaigns.title')}</PageTitle>
        <Typography.Text type="secondary">{t('outreach.campaigns.hint')}</Typography.Text>
      </Space>
      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('outreach.campaigns.list')}</Typography.Title>
      <Table<CampaignItem>
        size="small"
        rowKey="campaignId"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.loading}
        scroll={scrollWhenRows(list.data?.items)}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('outreach.campaigns.empty')} /> }}
        data-testid="campaign-list"
      />
      {detail.data && <CampaignView c={detail.data} />}
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>{t('outreach.campaigns.create')}</Typography.Title>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Form layout="vertical">
            <Form.Item label={t('outreach.campaigns.name')} htmlFor="campaign-name">
              <Input id="campaign-name" value={draft.name} maxLength={80} placeholder={t('outreach.campaigns.namePlaceholder')} onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="campaign-name" />
            </Form.Item>
            <Form.Item label={t('outreach.campaigns.group')}>
              <Select
                aria-label={t('outreach.campaigns.group')}
                value={draft.groupId}
                onChange={(v) => setDraft({ ...draft, groupId: v })}
                options={(groups.data?.items ?? []).map((g) => ({ value: g.groupId, label: g.name }))}
                data-testid="campaign-group"
              />
            </Form.Item>
            <Form.Item label={t('outreach.campaigns.template')}>
              <Select
                aria-label={t('outreach.campaigns.template')}
                value={draft.templateId}
                onChange={(v) => setDraft({ ...draft, templateId: v })}
                options={approvedTemplates.map((x) => ({ value: x.templateId, label: `${x.name}（${t(`outreach.campaigns.kinds.${x.kind}`)}）` }))}
                data-testid="campaign-template"
              />
            </Form.Item>
            <Form.Item label={t('outreach.campaigns.holdout')} help={t('outreach.campaigns.holdoutHelp')} htmlFor="campaign-holdout">
              <InputNumber id="campaign-holdout" min={0} max={50} precision={0} value={draft.holdoutPercent} onChange={(v) => setDraft({ ...draft, holdoutPercent: v ?? 0 })} data-testid="campaign-holdout" />
            </Form.Item>
            {members && (
              <Form.Item label={t('outreach.campaigns.recipient')}>
                <Select
                  aria-label={t('outreach.campaigns.recipient')}
                  value={recipient}
                  placeholder={t('outreach.campaigns.recipientPlaceholder')}
                  onChange={(v) => setRecipient(v)}
                  options={members.preview.map((m) => ({ value: m.customerId, label: `${m.name}（${m.customerId}）` }))}
                  data-testid="campaign-recipient"
                />
              </Form.Item>
            )}
          </Form>
          <Button type="primary" disabled={busy} onClick={make} data-testid="campaign-make">
            {t('outreach.campaigns.make')}
          </Button>
        </Col>
        <Col xs={24} lg={12}>
          {preview && (
            <Card size="small" title={t('outreach.campaigns.message')} data-testid="campaign-preview">
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="campaign-message">
                {preview.message}
              </Typography.Paragraph>
              <Space>
                <Tag>{t('outreach.campaigns.chars', { n: preview.chars })}</Tag>
                <Tag color="blue">{t('outreach.campaigns.segments', { n: preview.segments })}</Tag>
                {members && <Tag>{`${t('outreach.campaigns.members')}: ${members.count.toLocaleString()}`}</Tag>}
              </Space>
            </Card>
          )}
        </Col>
      </Row>
    </Card>
  );
}

function CampaignView({ c }: { c: Campaign }) {
  const { t } = useTranslation();
  const counts = ['sent', 'delivered', 'failed', 'optedOut', 'skipped', 'queued'] as const;
  return (
    <Card size="small" title={`${t('outreach.campaigns.detail')}：${c.name}`} style={{ marginTop: 16 }} data-testid="campaign-detail">
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t('outreach.campaigns.status')}>{t(`outreach.campaigns.statuses.${c.status}`)}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.group')}>{c.group?.name ?? t('outreach.campaigns.none')}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.takenOn')}>{c.takenOn ?? t('outreach.campaigns.none')}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.branch')}>{c.branch?.name ?? t('outreach.campaigns.bankWide')}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.approvedBy')}>{c.approvedBy?.name ?? t('outreach.campaigns.none')}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.sentOn')}>{c.sentOn ?? t('outreach.campaigns.none')}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.members')}>{c.members.toLocaleString()}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.heldOut')}>{`${c.heldOut.toLocaleString()}（${c.holdoutPercent}%）`}</Descriptions.Item>
        <Descriptions.Item label={t('outreach.campaigns.text')}>{c.text}</Descriptions.Item>
      </Descriptions>
      {c.send && <SendProgress c={c} />}
      <Typography.Title level={3} style={{ fontSize: 15 }}>{t('outreach.campaigns.messages')}</Typography.Title>
      <Row gutter={16}>
        {counts.map((k) => (
          <Col key={k} xs={8} md={4}>
            <Statistic title={t(`outreach.campaigns.counts.${k}`)} value={c.messages[k]} data-testid={`campaign-count-${k}`} />
          </Col>
        ))}
      </Row>
      {c.messages.skipped > 0 && (
        <Space wrap style={{ marginTop: 8 }} data-testid="campaign-skipped">
          <Typography.Text type="secondary">{t('outreach.campaigns.skippedBy')}</Typography.Text>
          {REASONS.filter((r) => (c.messages.skippedBy[r] ?? 0) > 0).map((r) => (
            <Tag key={r}>{`${t(`outreach.campaigns.reasons.${r}`)} ${c.messages.skippedBy[r]}`}</Tag>
          ))}
        </Space>
      )}
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>{t('outreach.campaigns.results')}</Typography.Title>
      <Results c={c} />
    </Card>
  );
}

const SEND_COLOR = { queued: STATE_HEX.grey, running: STATE_HEX.blue, done: STATE_HEX.green, waiting: STATE_HEX.orange, failed: STATE_HEX.red, interrupted: STATE_HEX.red } as const;

/** The latest send: a progress bar while it runs, where it ended once it has. */
function SendProgress({ c }: { c: Campaign }) {
  const { t } = useTranslation();
  const s = c.send;
  if (!s) return null;
  return (
    <div style={{ margin: '8px 0 12px' }} data-testid="campaign-send">
      <Space wrap size={8}>
        <Typography.Text strong>{t('outreach.campaigns.progress')}</Typography.Text>
        <Tag color={SEND_COLOR[s.state]} data-testid="campaign-send-state">
          {t(`outreach.campaigns.sendStates.${s.state}`)}
        </Tag>
        <Typography.Text type="secondary" data-testid="campaign-send-text">
          {t('outreach.campaigns.progressText', { done: s.done.toLocaleString(), total: s.total.toLocaleString(), sent: s.sent.toLocaleString() })}
        </Typography.Text>
      </Space>
      <Progress percent={s.percent} strokeColor={SEND_COLOR[s.state]} status={s.state === 'running' || s.state === 'queued' ? 'active' : 'normal'} aria-label={t('outreach.campaigns.progress')} data-testid="campaign-send-progress" />
      {(s.state === 'failed' || s.state === 'interrupted') && s.error && <Alert type="warning" showIcon title={s.error} data-testid="campaign-send-error" />}
    </div>
  );
}

function Results({ c }: { c: Campaign }) {
  const { t } = useTranslation();
  const r = c.results;
  if (!r.availableOn) return <Typography.Text type="secondary" data-testid="campaign-results">{t('outreach.campaigns.notSent')}</Typography.Text>;
  if (!r.ready || !r.recipients || !r.holdout) return <Typography.Text type="secondary" data-testid="campaign-results">{t('outreach.campaigns.availableOn', { date: r.availableOn })}</Typography.Text>;
  const arms = [r.recipients, r.holdout];
  const names = [t('outreach.campaigns.arms.recipients'), t('outreach.campaigns.arms.holdout')];
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { data: [t('outreach.campaigns.meanAumChange'), t('outreach.campaigns.opportunityShare')] },
    grid: { left: 70, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: names },
    yAxis: [
      { type: 'value', name: t('outreach.campaigns.meanAumChange'), nameTextStyle: { align: 'left' } },
      { type: 'value', name: '%', max: 100, min: 0 },
    ],
    series: [
      { type: 'bar', name: t('outreach.campaigns.meanAumChange'), data: arms.map((a) => a.meanAumChange ?? 0), itemStyle: { color: STATE_HEX.blue } },
      { type: 'bar', name: t('outreach.campaigns.opportunityShare'), yAxisIndex: 1, data: arms.map((a) => Math.round((a.newOpportunityShare ?? 0) * 1000) / 10), itemStyle: { color: STATE_HEX.green } },
    ],
  };
  return (
    <Row gutter={16} data-testid="campaign-results">
      <Col xs={24} md={12}>
        <EChart option={option} style={{ height: 260 }} testId="campaign-chart" />
      </Col>
      <Col xs={24} md={12}>
        <Descriptions size="small" column={1} bordered>
          {arms.map((a, i) => (
            <Descriptions.Item key={names[i]} label={names[i]}>
              <span data-testid={`campaign-arm-${i === 0 ? 'recipients' : 'holdout'}`}>
                {`${t('outreach.campaigns.customers')} ${a.customers.toLocaleString()} · ${t('outreach.campaigns.meanAumChange')} ${a.meanAumChange === null ? t('outreach.campaigns.none') : a.meanAumChange.toLocaleString()} · ${t('outreach.campaigns.opportunityShare')} ${a.newOpportunityShare === null ? t('outreach.campaigns.none') : `${(a.newOpportunityShare * 100).toFixed(1)}%`}`}
              </span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Col>
    </Row>
  );
}
