import { App, Button, Card, Col, DatePicker, Empty, Form, Input, InputNumber, Row, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { outreachApi } from '../outreach/outreach.api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { gatheringsApi, type GatheringItem } from './gatherings.api.js';
import { scrollWhenRows } from '../../app/table-scroll.js';

// Relationship events (客户活动, issue 21 §5): the list of the events the user sees and, for the
// organiser (branch head, department), the form that holds one from a saved customer group.

type Kind = GatheringItem['kind'];
const KINDS: Kind[] = ['salon', 'report_meeting', 'vip_gathering'];
export const KIND_COLOR: Record<Kind, string> = { salon: 'blue', report_meeting: 'purple', vip_gathering: 'gold' };

interface Draft {
  kind: Kind;
  title: string;
  startsAt: string;
  place: string;
  groupId: string | null;
  capacity: number | null;
}

export function GatheringsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const organiser = useSession().can('gatherings.write');
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<Draft>({ kind: 'salon', title: '', startsAt: '', place: '', groupId: null, capacity: null });
  const list = useApi(`gatherings/${version}/${i18n.language}`, (signal) => gatheringsApi.list(signal));
  const groups = useApi(`gathering-groups/${organiser}/${i18n.language}`, (signal) => (organiser ? outreachApi.groups(signal).catch(() => ({ items: [] })) : Promise.resolve({ items: [] })));

  const make = async () => {
    if (!draft.title.trim() || !draft.startsAt || !draft.place.trim() || !draft.groupId) {
      message.warning(t('gatherings.needsAll'));
      return;
    }
    setBusy(true);
    try {
      const g = await gatheringsApi.create({ kind: draft.kind, title: draft.title.trim(), startsAt: draft.startsAt.slice(0, 16), place: draft.place.trim(), groupId: draft.groupId, ...(draft.capacity ? { capacity: draft.capacity } : {}) });
      message.success(t('gatherings.made', { n: g.counts.invitees }));
      setVersion((v) => v + 1);
      void navigate(`/gatherings/${encodeURIComponent(g.gatheringId)}`);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<GatheringItem> = [
    {
      key: 'title',
      title: t('gatherings.titleLabel'),
      render: (_, x) => (
        <Link to={`/gatherings/${encodeURIComponent(x.gatheringId)}`} data-testid={`gathering-open-${x.gatheringId}`}>
          {x.title}
        </Link>
      ),
    },
    { key: 'kind', title: t('gatherings.kind'), width: 120, render: (_, x) => <Tag color={KIND_COLOR[x.kind]}>{t(`gatherings.kinds.${x.kind}`)}</Tag> },
    { key: 'date', title: t('gatherings.date'), width: 150, render: (_, x) => x.startsAt.slice(0, 16).replace('T', ' ') },
    { key: 'branch', title: t('gatherings.branch'), width: 120, responsive: ['md'], render: (_, x) => x.branch?.name ?? t('gatherings.bankWide') },
    { key: 'invitees', title: t('gatherings.invitees'), width: 70, align: 'right', render: (_, x) => x.counts.invitees },
    { key: 'attended', title: t('gatherings.attended'), width: 70, align: 'right', render: (_, x) => x.counts.attended },
    { key: 'status', title: t('gatherings.columns.state'), width: 90, render: (_, x) => <Tag color={x.status === 'closed' ? 'default' : 'green'}>{t(`gatherings.statuses.${x.status}`)}</Tag> },
    {
      key: 'door',
      title: t('gatherings.columns.actions'),
      width: 90,
      render: (_, x) =>
        x.status === 'planned' ? (
          <Link to={`/gatherings/${encodeURIComponent(x.gatheringId)}/door`} data-testid={`gathering-door-${x.gatheringId}`}>
            {t('gatherings.door')}
          </Link>
        ) : null,
    },
  ];

  return (
    <Card size="small" className="section-card" data-testid="gatherings-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <PageTitle>{t('gatherings.title')}</PageTitle>
        <Typography.Text type="secondary">{t('gatherings.hint')}</Typography.Text>
      </Space>
      <Typography.Title level={2} style={{ fontSize: 16 }}>{t('gatherings.list')}</Typography.Title>
      <Table<GatheringItem>
        size="small"
        rowKey="gatheringId"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.loading}
        scroll={scrollWhenRows(list.data?.items)}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('gatherings.empty')} /> }}
        data-testid="gathering-list"
      />
      {organiser && (
        <section style={{ marginTop: 24 }} data-testid="gathering-create">
          <Typography.Title level={2} style={{ fontSize: 16 }}>{t('gatherings.create')}</Typography.Title>
          <Form layout="vertical">
            <Row gutter={16}>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.kind')} help={t(`gatherings.kindHint.${draft.kind}`)}>
                  <Select aria-label={t('gatherings.kind')} value={draft.kind} onChange={(v) => setDraft({ ...draft, kind: v })} options={KINDS.map((k) => ({ value: k, label: t(`gatherings.kinds.${k}`) }))} data-testid="gathering-kind" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.titleLabel')} htmlFor="gathering-title">
                  <Input id="gathering-title" maxLength={80} value={draft.title} placeholder={t('gatherings.titlePlaceholder')} onChange={(e) => setDraft({ ...draft, title: e.target.value })} data-testid="gathering-title" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.startsAt')} htmlFor="gathering-starts">
                  {/* the bank's format whatever the browser's language; a typed value is taken on leaving the field */}
                  <DatePicker
                    id="gathering-starts"
                    showTime={{ format: 'HH:mm' }}
                    format="YYYY-MM-DD HH:mm"
                    needConfirm={false}
                    placeholder={t('gatherings.startsAtPlaceholder')}
                    style={{ width: '100%' }}
                    value={draft.startsAt ? dayjs(draft.startsAt) : null}
                    onChange={(d) => setDraft({ ...draft, startsAt: d ? d.format('YYYY-MM-DDTHH:mm') : '' })}
                    data-testid="gathering-starts"
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.place')} htmlFor="gathering-place">
                  <Input id="gathering-place" maxLength={120} value={draft.place} placeholder={t('gatherings.placePlaceholder')} onChange={(e) => setDraft({ ...draft, place: e.target.value })} data-testid="gathering-place" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.group')}>
                  <Select aria-label={t('gatherings.group')} value={draft.groupId} onChange={(v) => setDraft({ ...draft, groupId: v })} options={(groups.data?.items ?? []).map((g) => ({ value: g.groupId, label: g.name }))} data-testid="gathering-group" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label={t('gatherings.capacity')} help={t('gatherings.capacityHelp')} htmlFor="gathering-capacity">
                  <InputNumber id="gathering-capacity" min={1} max={2000} precision={0} value={draft.capacity} onChange={(v) => setDraft({ ...draft, capacity: v ?? null })} data-testid="gathering-capacity" />
                </Form.Item>
              </Col>
            </Row>
          </Form>
          <Button type="primary" disabled={busy} onClick={() => void make()} data-testid="gathering-make">
            {t('gatherings.make')}
          </Button>
        </section>
      )}
    </Card>
  );
}
