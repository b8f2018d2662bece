import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Popconfirm, Row, Select, Space, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { PageTitle } from '../../app/page-title.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import { outreachApi, type Counted, type Filter, type Group, type Member } from './outreach.api.js';

// Customer groups (客户分组, issue 21 §1): a filter built field by field, counted and previewed
// as it changes (within the reader's scope, names and phones as the customer list shows them),
// saved under a name; the saved groups of the reader's branch listed beside it.

const BANDS = ['band_1', 'band_2', 'band_3', 'band_4', 'band_5'] as const;
const KINDS = ['risk', 'opportunity', 'information', 'work_task'] as const;
const PRODUCTS = ['time_deposit', 'wealth', 'fund', 'insurance'] as const;

interface Fields {
  aumBands?: string[];
  tierModel?: string;
  tierValues?: string[];
  tagGroup?: string;
  tagValues?: string[];
  aumMin?: number | null;
  aumMax?: number | null;
  openEventKinds?: (typeof KINDS)[number][];
  products?: (typeof PRODUCTS)[number][];
  branchIds?: string[];
  ownerIds?: string[];
}

/** The form's fields as the API's filter: empty fields left out. */
function toFilter(v: Fields): Filter {
  const f: Filter = {};
  if (v.aumBands?.length) f.aumBands = v.aumBands;
  if (v.tierModel?.trim() && v.tierValues?.length) f.tiers = [{ model: v.tierModel.trim(), tiers: v.tierValues }];
  if (v.tagGroup?.trim() && v.tagValues?.length) f.tags = [{ group: v.tagGroup.trim(), tags: v.tagValues }];
  if (typeof v.aumMin === 'number') f.aumMin = v.aumMin;
  if (typeof v.aumMax === 'number') f.aumMax = v.aumMax;
  if (v.openEventKinds?.length) f.openEventKinds = v.openEventKinds;
  if (v.products?.length) f.products = v.products;
  if (v.branchIds?.length) f.branchIds = v.branchIds;
  if (v.ownerIds?.length) f.ownerIds = v.ownerIds;
  return f;
}

function toFields(f: Filter): Fields {
  return {
    aumBands: f.aumBands ?? [],
    tierModel: f.tiers?.[0]?.model ?? '',
    tierValues: f.tiers?.[0]?.tiers ?? [],
    tagGroup: f.tags?.[0]?.group ?? '',
    tagValues: f.tags?.[0]?.tags ?? [],
    aumMin: f.aumMin ?? null,
    aumMax: f.aumMax ?? null,
    openEventKinds: f.openEventKinds ?? [],
    products: f.products ?? [],
    branchIds: f.branchIds ?? [],
    ownerIds: f.ownerIds ?? [],
  };
}

const yuan = (s: string) => Number(s).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function GroupsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const [filter, setFilter] = useState<Filter>({});
  const [counted, setCounted] = useState<Counted | null>(null);
  const [countError, setCountError] = useState<string | null>(null);
  const [counting, setCounting] = useState(false);
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<Group | null>(null);
  const [version, setVersion] = useState(0);
  const branches = useApi(`group-branches/${i18n.language}`, (signal) => outreachApi.branches(signal));
  const groups = useApi(`groups/${version}/${i18n.language}`, (signal) => outreachApi.groups(signal));
  const key = useMemo(() => JSON.stringify(filter), [filter]);

  // the live count: a moment after the last change, the previous request abandoned
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setCounting(true);
      outreachApi
        .count(filter, controller.signal)
        .then((c) => {
          setCounted(c);
          setCountError(null);
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setCountError(errorText(err));
        })
        .finally(() => {
          if (!controller.signal.aborted) setCounting(false);
        });
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, i18n.language]);

  const save = async () => {
    if (!name.trim()) {
      message.warning(t('outreach.groups.saveNeedsName'));
      return;
    }
    try {
      const g = editing ? await outreachApi.updateGroup(editing.groupId, name, filter) : await outreachApi.createGroup(name, filter);
      setEditing(g);
      message.success(t('outreach.groups.saved'));
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(err instanceof ApiError ? errorText(err) : String(err));
    }
  };
  const open = (g: Group) => {
    setEditing(g);
    setName(g.name);
    form.setFieldsValue(toFields(g.filter));
    setFilter(g.filter);
  };
  const reset = () => {
    setEditing(null);
    setName('');
    form.resetFields();
    setFilter({});
  };
  const remove = async (g: Group) => {
    try {
      await outreachApi.deleteGroup(g.groupId);
      message.success(t('outreach.groups.deleted'));
      if (editing?.groupId === g.groupId) reset();
      setVersion((v) => v + 1);
    } catch (err) {
      message.error(errorText(err));
    }
  };

  const gender = (g: Member['gender']) => (g === 'M' ? (i18n.language.startsWith('zh') ? '男' : 'M') : g === 'F' ? (i18n.language.startsWith('zh') ? '女' : 'F') : '—');
  const columns: TableColumnsType<Member> = [
    { key: 'customer', title: t('outreach.groups.columns.customer'), render: (_, m) => `${m.name}（${m.customerId}）` },
    { key: 'gender', title: t('outreach.groups.columns.gender'), width: 70, render: (_, m) => gender(m.gender) },
    { key: 'phone', title: t('outreach.groups.columns.phone'), width: 130, render: (_, m) => m.phone ?? '—' },
    { key: 'branch', title: t('outreach.groups.columns.branch'), render: (_, m) => m.branch.name },
    { key: 'band', title: t('outreach.groups.columns.band'), width: 100, render: (_, m) => (m.aumBand ? <ListTierTag model="aum_band" tier={m.aumBand} /> : '—') },
    { key: 'aum', title: t('outreach.groups.columns.aum'), align: 'right', render: (_, m) => <span className="money">{yuan(m.aum)}</span> },
  ];
  const groupColumns: TableColumnsType<Group> = [
    { key: 'name', title: t('outreach.groups.name'), render: (_, g) => g.name },
    { key: 'branch', title: t('outreach.groups.branch'), render: (_, g) => g.branch.name },
    { key: 'by', title: t('outreach.groups.createdBy'), render: (_, g) => g.createdBy.name },
    {
      key: 'actions',
      title: t('outreach.groups.actions'),
      width: 150,
      render: (_, g) => (
        <Space size={4}>
          <Button size="small" onClick={() => open(g)} data-testid={`group-open-${g.groupId}`}>
            {t('outreach.groups.open')}
          </Button>
          {g.editable && (
            <Popconfirm title={t('outreach.groups.deleteConfirm')} onConfirm={() => void remove(g)}>
              <Button size="small" danger>
                {t('outreach.groups.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];
  const anyText = t('outreach.groups.any');
  return (
    <Card size="small" className="section-card" data-testid="groups-page">
      <Space orientation="vertical" size={4} style={{ marginBottom: 12 }}>
        <PageTitle>{t('outreach.groups.title')}</PageTitle>
        <Typography.Text type="secondary">{t('outreach.groups.hint')}</Typography.Text>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Form form={form} layout="vertical" onValuesChange={(_, all) => setFilter(toFilter(all))} data-testid="group-filter">
            <Form.Item name="aumBands" label={t('outreach.groups.aumBands')}>
              <Select mode="multiple" allowClear placeholder={anyText} options={BANDS.map((b) => ({ value: b, label: t(`tiers.aum_band.${b}`) }))} data-testid="group-bands" />
            </Form.Item>
            <Row gutter={8}>
              <Col span={12}>
                <Form.Item name="aumMin" label={t('outreach.groups.aumMin')}>
                  <InputNumber min={0} style={{ width: '100%' }} data-testid="group-aum-min" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="aumMax" label={t('outreach.groups.aumMax')}>
                  <InputNumber min={0} style={{ width: '100%' }} data-testid="group-aum-max" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="products" label={t('outreach.groups.products')}>
              <Select mode="multiple" allowClear placeholder={anyText} options={PRODUCTS.map((p) => ({ value: p, label: t(`outreach.groups.productKinds.${p}`) }))} data-testid="group-products" />
            </Form.Item>
            <Form.Item name="openEventKinds" label={t('outreach.groups.openEventKinds')}>
              <Select mode="multiple" allowClear placeholder={anyText} options={KINDS.map((k) => ({ value: k, label: t(`outreach.groups.kinds.${k}`) }))} data-testid="group-kinds" />
            </Form.Item>
            <Form.Item name="branchIds" label={t('outreach.groups.branches')}>
              <Select mode="multiple" allowClear placeholder={anyText} optionFilterProp="label" options={(branches.data?.items ?? []).map((b) => ({ value: b.id, label: b.name }))} data-testid="group-branches" />
            </Form.Item>
            <Form.Item name="ownerIds" label={t('outreach.groups.owners')}>
              <Select mode="tags" allowClear placeholder={t('outreach.groups.ownersPlaceholder')} open={false} data-testid="group-owners" />
            </Form.Item>
            <Row gutter={8}>
              <Col span={10}>
                <Form.Item name="tierModel" label={t('outreach.groups.tierModel')}>
                  <Input placeholder={t('outreach.groups.tierModelPlaceholder')} />
                </Form.Item>
              </Col>
              <Col span={14}>
                <Form.Item name="tierValues" label={t('outreach.groups.tierValues')}>
                  <Select mode="tags" open={false} placeholder={anyText} />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={8}>
              <Col span={10}>
                <Form.Item name="tagGroup" label={t('outreach.groups.tagGroup')}>
                  <Input placeholder={t('outreach.groups.tagGroupPlaceholder')} />
                </Form.Item>
              </Col>
              <Col span={14}>
                <Form.Item name="tagValues" label={t('outreach.groups.tagValues')}>
                  <Select mode="tags" open={false} placeholder={anyText} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
          <Space wrap>
            <Input aria-label={t('outreach.groups.name')} placeholder={t('outreach.groups.namePlaceholder')} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} style={{ width: 220 }} data-testid="group-name" />
            <Button type="primary" onClick={() => void save()} data-testid="group-save">
              {editing?.editable ? t('outreach.groups.update') : t('outreach.groups.save')}
            </Button>
            <Button onClick={reset}>{editing ? t('outreach.groups.newGroup') : t('outreach.groups.clear')}</Button>
          </Space>
          {editing && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('outreach.groups.editing', { name: editing.name })}</Typography.Paragraph>}
        </Col>
        <Col xs={24} lg={14}>
          <Statistic title={t('outreach.groups.count')} value={counted ? t('outreach.groups.countValue', { n: counted.count.toLocaleString() }) : '—'} loading={counting && !counted} />
          <span data-testid="group-count" style={{ display: 'none' }}>
            {counted?.count ?? ''}
          </span>
          {countError && <Typography.Text type="danger" data-testid="group-count-error">{countError}</Typography.Text>}
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 12 }}>
            {t('outreach.groups.preview')}
          </Typography.Title>
          <Table<Member> size="small" rowKey="customerId" columns={columns} dataSource={counted?.preview ?? []} pagination={false} loading={counting} data-testid="group-preview" />
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
            {t('outreach.groups.savedGroups')}
          </Typography.Title>
          <Table<Group>
            size="small"
            rowKey="groupId"
            columns={groupColumns}
            dataSource={groups.data?.items ?? []}
            loading={groups.loading}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('outreach.groups.empty')} /> }}
            data-testid="group-list"
          />
        </Col>
      </Row>
    </Card>
  );
}
