import { ArrowLeftOutlined, CheckOutlined, CloseOutlined, RollbackOutlined } from '@ant-design/icons';
import { Alert, App, Button, Empty, Input, InputNumber, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { chinaTime } from '../../app/china-time.js';
import { SectionTitle } from '../../app/page-title.js';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { Wan } from '../customers/money.view.js';
import { ownershipApi } from '../ownership/ownership.api.js';
import { BandTag, CustomerLink, errorText, StaffName } from '../ownership/ownership.parts.js';
import { reviewApi, type SpotCheck, type SpotItem, type SpotManager, type SpotResult } from './review.api.js';
import { percent } from './review.parts.js';

// The spot check of familiar customers (熟户抽查): the month's sample per manager with its results;
// a manager's row opens their sampled customers, each recorded familiar or not (with a note). A
// customer the manager does not know, and still owns as primary owner, can be recalled in one
// click: ownership's own recall (the re-allocation workbench's), with the reason filled in.

const DEFAULT_SIZE = 5;

export function SpotCheckTab({ month, staffId, onStaff }: { month: string | undefined; staffId: string | undefined; onStaff: (id: string | undefined) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [size, setSize] = useState<number>(DEFAULT_SIZE);
  const [drawing, setDrawing] = useState(false);
  const list = useApi(`spot-checks/${month ?? ''}/${version}/${i18n.language}`, (signal) => reviewApi.spotChecks({ month }, signal));
  const checks = list.data?.items ?? [];
  useEffect(() => setChosen(undefined), [month]);
  const check = checks.find((c) => c.reviewId === chosen) ?? checks[0];
  // one spot check per reviewer, month and branch: drawn, the button has nothing more to do
  const user = useCurrentUser();
  const drawn = checks.some((c) => c.reviewer.staffId === user.login && c.branch.id === user.branch?.id);

  const draw = async () => {
    setDrawing(true);
    try {
      const made = await reviewApi.draw({ month: list.data?.month ?? month, n: size });
      message.success(t('review.spot.drawnOk'));
      setChosen(made.reviewId);
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setDrawing(false);
    }
  };

  const managerColumns: TableColumnsType<SpotManager> = [
    { key: 'staff', title: t('review.page.manager'), render: (_, m) => <StaffName staff={m.staff} /> },
    { key: 'branch', title: t('review.page.branch'), render: (_, m) => m.branch.name },
    ...(['sampled', 'checked', 'familiar', 'notFamiliar'] as const).map((k) => ({
      key: k,
      title: t(`review.spot.${k}`),
      align: 'right' as const,
      render: (_: unknown, m: SpotManager) => (k === 'notFamiliar' && m.notFamiliar > 0 ? <Tag color="red">{m.notFamiliar}</Tag> : <span className="money" data-testid={`spot-${m.staff.staffId}-${k}`}>{m[k]}</span>),
    })),
    { key: 'share', title: t('review.spot.share'), align: 'right', render: (_, m) => <span className="money" data-testid={`spot-${m.staff.staffId}-share`}>{percent(m.share)}</span> },
    {
      key: 'open',
      title: '',
      render: (_, m) => (
        <Button size="small" type="link" disabled={!m.sampled} onClick={() => onStaff(m.staff.staffId)} data-testid={`spot-open-${m.staff.staffId}`}>
          {t('review.spot.openManager')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="spot-check-tab">
      <Typography.Paragraph type="secondary">{t('review.spot.hint')}</Typography.Paragraph>
      {list.error && <Alert type="error" showIcon title={list.error.message} style={{ marginBottom: 12 }} />}
      <Space wrap style={{ marginBottom: 12 }}>
        {checks.length > 1 && (
          <Select
            style={{ minWidth: 260 }}
            aria-label={t('review.page.branch')}
            value={check?.reviewId}
            onChange={(v) => {
              setChosen(v);
              onStaff(undefined);
            }}
            options={checks.map((c) => ({ value: c.reviewId, label: `${c.branch.name} · ${c.reviewer.name}` }))}
            data-testid="spot-choose"
          />
        )}
        <span>{t('review.spot.size')}</span>
        <InputNumber min={1} max={20} value={size} onChange={(v) => setSize(v ?? DEFAULT_SIZE)} aria-label={t('review.spot.size')} data-testid="spot-size" />
        <span>{t('review.spot.sizeUnit')}</span>
        <Button type="primary" loading={drawing} disabled={drawn} onClick={() => void draw()} data-testid="spot-draw">
          {t('review.spot.draw')}
        </Button>
      </Space>
      {!check ? (
        <Empty description={t('review.spot.none', { month: list.data?.month ?? month ?? '' })} />
      ) : staffId ? (
        <SpotItems check={check} staffId={staffId} onBack={() => onStaff(undefined)} onChanged={() => setVersion((v) => v + 1)} />
      ) : (
        <>
          <Typography.Text type="secondary" data-testid="spot-drawn">
            {t('review.spot.drawn', { reviewer: check.reviewer.name, time: chinaTime(check.drawnAt), branch: check.branch.name, n: check.sampleSize, date: check.businessDate })}
          </Typography.Text>
          <Table<SpotManager>
            size="small"
            rowKey={(m) => m.staff.staffId}
            loading={list.loading}
            columns={managerColumns}
            dataSource={check.managers}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={2}>
                  {t('review.spot.totals')}
                </Table.Summary.Cell>
                {(['sampled', 'checked', 'familiar', 'notFamiliar'] as const).map((k, i) => (
                  <Table.Summary.Cell key={k} index={i + 2} align="right">
                    <span className="money">{check.totals[k]}</span>
                  </Table.Summary.Cell>
                ))}
                <Table.Summary.Cell index={6} align="right">
                  <span className="money">{percent(check.totals.share)}</span>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={7} />
              </Table.Summary.Row>
            )}
            data-testid="spot-managers"
          />
        </>
      )}
    </div>
  );
}

/** One manager's sampled customers: record familiar / not familiar with a note; recall where offered. */
function SpotItems({ check, staffId, onBack, onChanged }: { check: SpotCheck; staffId: string; onBack: () => void; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const detail = useApi(`spot-check/${check.reviewId}/${staffId}/${version}/${i18n.language}`, (signal) => reviewApi.spotCheck(check.reviewId, staffId, signal));
  const items = detail.data?.items ?? [];
  const manager = check.managers.find((m) => m.staff.staffId === staffId);
  useEffect(() => {
    setNotes(Object.fromEntries((detail.data?.items ?? []).map((i) => [i.customer.customerId, i.note ?? ''])));
  }, [detail.data]);
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };

  const record = async (item: SpotItem, result: SpotResult) => {
    setBusy(`${item.customer.customerId}/${result}`);
    try {
      await reviewApi.result(check.reviewId, { customerId: item.customer.customerId, staffId, result, note: (notes[item.customer.customerId] ?? '').trim() || undefined });
      message.success(t('review.spot.saved'));
      changed();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const recall = async (item: SpotItem) => {
    setBusy(`${item.customer.customerId}/recall`);
    try {
      // ownership's own recall, as the re-allocation workbench sends it (audited there)
      await ownershipApi.recall([item.customer.customerId], t('review.spot.recallReason', { month: check.month }));
      message.success(t('review.spot.recalledOk'));
      changed();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const columns: TableColumnsType<SpotItem> = [
    { key: 'position', title: '#', width: 40, render: (_, i) => <span className="money">{i.position}</span> },
    { key: 'customer', title: t('review.spot.customer'), render: (_, i) => (i.customer.visible ? <CustomerLink customer={i.customer} /> : <Tooltip title={t('review.spot.outsideScope')}><span><span className="money">{i.customer.customerId}</span> {i.customer.name}</span></Tooltip>) },
    { key: 'aum', title: t('review.spot.aum'), align: 'right', render: (_, i) => (i.customer.aum === null ? '—' : <Wan yuan={i.customer.aum} />) },
    { key: 'band', title: '', render: (_, i) => <BandTag band={i.customer.aumBand} /> },
    { key: 'basis', title: t('review.spot.basis'), render: (_, i) => t(`review.spot.bases.${i.basis}`) },
    {
      key: 'result',
      title: t('review.spot.result'),
      render: (_, i) => (
        <Space direction="vertical" size={0}>
          <Tag color={i.result === 'familiar' ? 'green' : i.result === 'not_familiar' ? 'red' : 'default'} data-testid={`spot-result-${i.customer.customerId}`}>
            {t(`review.spot.results.${i.result ?? 'none'}`)}
          </Tag>
          {i.checkedBy && i.checkedAt && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {i.checkedBy.name} {chinaTime(i.checkedAt)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      key: 'note',
      title: t('review.spot.note'),
      width: 220,
      render: (_, i) => (
        <Input
          size="small"
          maxLength={500}
          value={notes[i.customer.customerId] ?? ''}
          placeholder={t('review.spot.notePlaceholder')}
          aria-label={t('review.spot.note')}
          onChange={(e) => setNotes((n) => ({ ...n, [i.customer.customerId]: e.target.value }))}
          disabled={!i.customer.visible}
          data-testid={`spot-note-${i.customer.customerId}`}
        />
      ),
    },
    {
      key: 'actions',
      title: t('review.spot.actions'),
      render: (_, i) => (
        <Space size={4} wrap>
          <Button size="small" icon={<CheckOutlined />} disabled={!i.customer.visible} loading={busy === `${i.customer.customerId}/familiar`} onClick={() => void record(i, 'familiar')} data-testid={`spot-familiar-${i.customer.customerId}`}>
            {t('review.spot.results.familiar')}
          </Button>
          <Button size="small" danger icon={<CloseOutlined />} disabled={!i.customer.visible} loading={busy === `${i.customer.customerId}/not_familiar`} onClick={() => void record(i, 'not_familiar')} data-testid={`spot-not-familiar-${i.customer.customerId}`}>
            {t('review.spot.results.not_familiar')}
          </Button>
          {i.recallOffered && (
            <Popconfirm title={t('review.spot.recallConfirm', { name: i.customer.name })} onConfirm={() => void recall(i)} okText={t('review.spot.recall')} cancelText={t('review.coaching.cancel')}>
              <Button size="small" type="primary" danger icon={<RollbackOutlined />} loading={busy === `${i.customer.customerId}/recall`} data-testid={`spot-recall-${i.customer.customerId}`}>
                {t('review.spot.recall')}
              </Button>
            </Popconfirm>
          )}
          {i.result === 'not_familiar' && i.ownerNow === null && <Tag data-testid={`spot-recalled-${i.customer.customerId}`}>{t('review.spot.noLongerOwner')}</Tag>}
          {i.result === 'not_familiar' && i.ownerNow === 'co' && (
            <Tooltip title={t('review.spot.coOwnerHint')}>
              <Tag>{t('review.spot.bases.co')}</Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={onBack} data-testid="spot-back">
          {t('review.page.back')}
        </Button>
        <SectionTitle style={{ margin: 0 }}>{t('review.spot.itemsOf', { name: manager?.staff.name ?? staffId })}</SectionTitle>
      </Space>
      {detail.error && <Alert type="error" showIcon title={detail.error.message} style={{ marginBottom: 12 }} />}
      <Table<SpotItem> size="small" rowKey={(i) => i.customer.customerId} loading={detail.loading} columns={columns} dataSource={items} pagination={false} scroll={{ x: 1000 }} data-testid="spot-items" />
    </>
  );
}
