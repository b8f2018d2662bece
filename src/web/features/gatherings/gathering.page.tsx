import { App, Button, Card, Col, Descriptions, Empty, Popconfirm, Row, Select, Space, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { STATE_HEX } from '../../app/theme.js';
import { useApi } from '../../app/use-api.js';
import { outreachApi } from '../outreach/outreach.api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { gatheringsApi, type Gathering, type Invitee } from './gatherings.api.js';
import { KIND_COLOR } from './gatherings.page.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

// One relationship event: its invitees (a manager: their own) with their answers, the invitation
// (SMS campaign or call list), closing, and the result 30 days on.

type State = Invitee['state'];
export const STATE_COLOR: Record<State, string> = { invited: STATE_HEX.grey, accepted: STATE_HEX.blue, declined: STATE_HEX.orange, attended: STATE_HEX.green, no_show: STATE_HEX.red };

export function GatheringPage() {
  const { gatheringId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const g = useApi(`gathering/${gatheringId}/${version}/${i18n.language}`, (signal) => gatheringsApi.get(gatheringId, signal));
  const manageable = g.data?.manageable ?? false;
  const templates = useApi(`gathering-templates/${manageable}/${i18n.language}`, (signal) => (manageable ? outreachApi.templates(signal).catch(() => ({ items: [] })) : Promise.resolve({ items: [] })));
  const approved = useMemo(() => (templates.data?.items ?? []).filter((x) => x.status === 'approved'), [templates.data]);

  const act = async <T,>(work: () => Promise<T>, done: (r: T) => string) => {
    setBusy(true);
    try {
      const r = await work();
      message.success(done(r));
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (g.error) return <Card size="small"><Typography.Text type="danger">{errorText(g.error)}</Typography.Text></Card>;
  const d = g.data;
  if (!d) return <Card size="small" loading />;
  const open = d.status === 'planned';
  const answer = (c: Invitee, state: 'invited' | 'accepted' | 'declined') => void act(() => gatheringsApi.answer(d.gatheringId, c.customerId, state), () => `${c.name}：${t(`gatherings.states.${state}`)}`);

  const columns: TableColumnsType<Invitee> = [
    { key: 'customer', title: t('gatherings.columns.customer'), render: (_, c) => <Link to={`/customers/${encodeURIComponent(c.customerId)}`}>{`${c.name}（${c.customerId}）`}</Link> },
    { key: 'phone', title: t('gatherings.columns.phone'), width: 120, render: (_, c) => c.phone ?? '' },
    { key: 'aum', title: t('gatherings.columns.aum'), width: 130, align: 'right', responsive: ['md'], render: (_, c) => c.aum.toLocaleString(undefined, { minimumFractionDigits: 2 }) },
    { key: 'owner', title: t('gatherings.columns.owner'), width: 100, responsive: ['md'], render: (_, c) => c.owner?.name ?? '' },
    { key: 'state', title: t('gatherings.columns.state'), width: 90, render: (_, c) => <Tag color={STATE_COLOR[c.state]} data-testid={`invitee-state-${c.customerId}`}>{t(`gatherings.states.${c.state}`)}</Tag> },
    {
      key: 'actions',
      title: t('gatherings.columns.actions'),
      render: (_, c) =>
        open && c.state !== 'attended' ? (
          <Space size={4} wrap>
            {c.state !== 'accepted' && (
              <Button size="small" disabled={busy} onClick={() => answer(c, 'accepted')} data-testid={`invitee-accept-${c.customerId}`}>
                {t('gatherings.accept')}
              </Button>
            )}
            {c.state !== 'declined' && (
              <Button size="small" disabled={busy} onClick={() => answer(c, 'declined')} data-testid={`invitee-decline-${c.customerId}`}>
                {t('gatherings.decline')}
              </Button>
            )}
            {c.state !== 'invited' && (
              <Button size="small" type="text" disabled={busy} onClick={() => answer(c, 'invited')}>
                {t('gatherings.reset')}
              </Button>
            )}
          </Space>
        ) : null,
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="gathering-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <Link to="/gatherings">{t('gatherings.back')}</Link>
        <PageTitle>{d.title}</PageTitle>
        <Space wrap>
          <Tag color={KIND_COLOR[d.kind]}>{t(`gatherings.kinds.${d.kind}`)}</Tag>
          <Tag color={open ? 'green' : 'default'} data-testid="gathering-status">{t(`gatherings.statuses.${d.status}`)}</Tag>
          {open && (
            <Link to={`/gatherings/${encodeURIComponent(d.gatheringId)}/door`} data-testid="gathering-door">
              {t('gatherings.door')}
            </Link>
          )}
        </Space>
      </Space>
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t('gatherings.startsAt')}>{d.startsAt.slice(0, 16).replace('T', ' ')}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.place')}>{d.place}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.branch')}>{d.branch?.name ?? t('gatherings.bankWide')}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.group')}>{`${d.group.name}（${t('gatherings.takenOn')} ${d.takenOn}）`}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.capacity')}>{d.capacity}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.createdBy')}>{d.createdBy.name}</Descriptions.Item>
        <Descriptions.Item label={t('gatherings.invitation')}>{t(`gatherings.invitedBy.${d.invitedBy ?? 'none'}`)}</Descriptions.Item>
      </Descriptions>
      {(d.skipped.belowVipAum > 0 || d.skipped.overCapacity > 0) && (
        <Typography.Paragraph type="secondary" data-testid="gathering-skipped">{t(d.kind === 'vip_gathering' ? 'gatherings.skippedVip' : 'gatherings.skipped', { vip: d.skipped.belowVipAum, over: d.skipped.overCapacity })}</Typography.Paragraph>
      )}
      <Row gutter={[16, 8]} style={{ marginBottom: 12 }}>
        {(['invitees', 'accepted', 'declined', 'attended', 'noShow'] as const).map((k) => (
          <Col key={k} xs={8} md={4}>
            <Statistic title={k === 'invitees' ? t('gatherings.invitees') : t(`gatherings.states.${k === 'noShow' ? 'no_show' : k}`)} value={d.counts[k]} data-testid={`gathering-count-${k}`} />
          </Col>
        ))}
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        {manageable && open && (
          <>
            <Select aria-label={t('gatherings.template')} placeholder={t('gatherings.template')} style={{ minWidth: 200 }} value={templateId} onChange={setTemplateId} options={approved.map((x) => ({ value: x.templateId, label: x.name }))} disabled={d.campaignId !== null} data-testid="gathering-template" />
            <Button disabled={busy || d.campaignId !== null || !templateId} onClick={() => void act(() => gatheringsApi.invite(d.gatheringId, { channel: 'sms', ...(templateId ? { templateId } : {}) }), () => t('gatherings.inviteSmsDone'))} data-testid="gathering-invite-sms">
              {t('gatherings.inviteSms')}
            </Button>
            <Button disabled={busy} onClick={() => void act(() => gatheringsApi.invite(d.gatheringId, { channel: 'call_list' }), (r) => t('gatherings.inviteCallsDone', { n: r.tasks }))} data-testid="gathering-invite-calls">
              {t('gatherings.inviteCalls')}
            </Button>
          </>
        )}
        {d.campaignId && <Link to="/campaigns">{t('gatherings.campaign')}</Link>}
        <Button icon={<DownloadOutlined />} href={gatheringsApi.callListUrl(d.gatheringId)} data-testid="gathering-call-list">
          {t('gatherings.callList')}
        </Button>
        {manageable && open && (
          <Popconfirm title={t('gatherings.closeConfirm')} onConfirm={() => void act(() => gatheringsApi.close(d.gatheringId), () => t('gatherings.closed'))}>
            <Button danger disabled={busy} data-testid="gathering-close">
              {t('gatherings.close')}
            </Button>
          </Popconfirm>
        )}
      </Space>
      <Table<Invitee>
        size="small"
        rowKey="customerId"
        columns={columns}
        dataSource={d.invitees}
        scroll={scrollWhenRows(d.invitees)}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('gatherings.noHits')} /> }}
        data-testid="gathering-invitees"
      />
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>{t('gatherings.result')}</Typography.Title>
      <Result d={d} />
    </Card>
  );
}

function Result({ d }: { d: Gathering }) {
  const { t } = useTranslation();
  const r = d.result;
  if (!r.ready || !r.attendees || !r.notAttended) return <Typography.Text type="secondary" data-testid="gathering-result">{t('gatherings.resultOn', { date: r.availableOn })}</Typography.Text>;
  const arms = [
    ['attendees', r.attendees],
    ['notAttended', r.notAttended],
  ] as const;
  return (
    <Descriptions size="small" column={1} bordered data-testid="gathering-result">
      {arms.map(([k, a]) => (
        <Descriptions.Item key={k} label={t(`gatherings.arms.${k}`)}>
          <span data-testid={`gathering-arm-${k}`}>{`${t('gatherings.customers')} ${a.customers} · ${t('gatherings.meanChange')} ${a.meanAumChange === null ? t('gatherings.none') : a.meanAumChange.toLocaleString()}`}</span>
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}
