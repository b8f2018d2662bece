import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, InputNumber, Select, Space, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../app/use-api.js';
import { LIST_TIERS, type AumBand, type RelationshipTier } from '../tiering/tier-labels.js';
import { EMPTY_FILTERS, type ListFilters } from './customer-list.params.js';
import { customersApi, type Branch } from './customers.api.js';
import { wanToYuan, yuanToWan } from './money.js';

interface BranchNode {
  value: string;
  title: string;
  children: BranchNode[];
}

/** The branches in scope as a tree; a node whose parent is out of scope is a root. */
export function branchTree(items: readonly Branch[]): BranchNode[] {
  const nodes = new Map<string, BranchNode>(items.map((b) => [b.id, { value: b.id, title: b.name, children: [] }]));
  const roots: BranchNode[] = [];
  for (const b of items) {
    const node = nodes.get(b.id);
    if (!node) continue;
    const parent = b.parentId ? nodes.get(b.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The branches in the user's scope as a searchable tree (an outlet, or a branch and its subtree). */
export function BranchTreeSelect({ value, onChange, placeholder, testId, id }: { value: string | undefined; onChange: (branchId: string | undefined) => void; placeholder: string; testId: string; id?: string }) {
  const branches = useApi('branches', (signal) => customersApi.branches(signal));
  const tree = useMemo(() => branchTree(branches.data?.items ?? []), [branches.data]);
  return (
    <TreeSelect
      data-testid={testId}
      id={id}
      style={{ width: 220, maxWidth: '100%' }}
      allowClear
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll={tree.length <= 3}
      loading={branches.loading}
      treeData={tree}
      value={value}
      placeholder={placeholder}
      onChange={(branchId: string | undefined) => onChange(branchId ?? undefined)}
      popupMatchSelectWidth={false}
    />
  );
}

interface Props {
  value: ListFilters;
  onChange: (filters: ListFilters) => void;
}

/** The filter bar: the text box and AUM range apply on Enter or 查询; the selects apply at once. */
export function CustomerListFilters({ value, onChange }: Props) {
  const { t } = useTranslation();
  const [q, setQ] = useState(value.q);
  const [aumMin, setAumMin] = useState<number | null>(yuanToWan(value.aumMin ?? null) ?? null);
  const [aumMax, setAumMax] = useState<number | null>(yuanToWan(value.aumMax ?? null) ?? null);

  // back/forward changes the URL under us: show what it says
  useEffect(() => setQ(value.q), [value.q]);
  useEffect(() => setAumMin(yuanToWan(value.aumMin ?? null) ?? null), [value.aumMin]);
  useEffect(() => setAumMax(yuanToWan(value.aumMax ?? null) ?? null), [value.aumMax]);

  const rangeInvalid = aumMin !== null && aumMax !== null && aumMin >= aumMax;
  const apply = (patch: Partial<ListFilters> = {}) => {
    if (rangeInvalid) return;
    onChange({
      ...value,
      q,
      aumMin: aumMin === null ? undefined : wanToYuan(aumMin),
      aumMax: aumMax === null ? undefined : wanToYuan(aumMax),
      ...patch,
    });
  };

  return (
    <Form layout="inline" className="filter-bar" component="div">
      <Form.Item>
        <Input
          data-testid="customer-search"
          aria-label={t('customers.search')}
          name="q"
          allowClear
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onPressEnter={() => apply()}
          prefix={<SearchOutlined style={{ color: 'rgba(0,0,0,0.45)' }} aria-hidden />}
          placeholder={t('customers.searchPlaceholder')}
          style={{ width: 280, maxWidth: '100%' }}
          maxLength={40}
        />
      </Form.Item>
      <Form.Item label={t('customers.branch')} htmlFor="filter-branch">
        <BranchTreeSelect id="filter-branch" testId="branch-filter" value={value.branchId} placeholder={t('customers.branchPlaceholder')} onChange={(branchId) => apply({ branchId })} />
      </Form.Item>
      <Form.Item label={t('customers.aumRange')} htmlFor="filter-aum-min" validateStatus={rangeInvalid ? 'error' : undefined} help={rangeInvalid ? t('customers.aumRangeInvalid') : undefined}>
        <Space.Compact>
          <InputNumber<number>
            data-testid="aum-min"
            id="filter-aum-min"
            aria-label={`${t('customers.aumRange')} ${t('customers.aumMin')}`}
            min={0}
            max={1e9}
            precision={2}
            value={aumMin}
            onChange={setAumMin}
            onPressEnter={() => apply()}
            placeholder={t('customers.aumMin')}
            style={{ width: 100 }}
          />
          <InputNumber<number>
            data-testid="aum-max"
            aria-label={`${t('customers.aumRange')} ${t('customers.aumMax')}`}
            min={0}
            max={1e9}
            precision={2}
            value={aumMax}
            onChange={setAumMax}
            onPressEnter={() => apply()}
            placeholder={t('customers.aumMax')}
            style={{ width: 100 }}
          />
        </Space.Compact>
      </Form.Item>
      <Form.Item label={t('customers.vipCard')} htmlFor="filter-vip">
        <Select<'any' | 'true' | 'false'>
          data-testid="vip-filter"
          id="filter-vip"
          style={{ width: 100 }}
          value={value.vipCard ?? 'any'}
          onChange={(v) => apply({ vipCard: v === 'any' ? undefined : v })}
          options={[
            { value: 'any', label: t('common.any') },
            { value: 'true', label: t('customers.vipYes') },
            { value: 'false', label: t('customers.vipNo') },
          ]}
        />
      </Form.Item>
      <Form.Item label={t('customers.aumBand')} htmlFor="filter-aum-band">
        <Select<AumBand | 'any'>
          data-testid="aum-band-filter"
          id="filter-aum-band"
          style={{ width: 130 }}
          value={value.aumBand ?? 'any'}
          onChange={(v) => apply({ aumBand: v === 'any' ? undefined : v })}
          options={[{ value: 'any' as const, label: t('common.any') }, ...LIST_TIERS.aum_band.map((tier) => ({ value: tier, label: t(`tiers.aum_band.${tier}`) }))]}
          popupMatchSelectWidth={false}
        />
      </Form.Item>
      <Form.Item label={t('customers.relationshipTier')} htmlFor="filter-relationship">
        <Select<RelationshipTier | 'any'>
          data-testid="relationship-filter"
          id="filter-relationship"
          style={{ width: 110 }}
          value={value.relationshipTier ?? 'any'}
          onChange={(v) => apply({ relationshipTier: v === 'any' ? undefined : v })}
          options={[{ value: 'any' as const, label: t('common.any') }, ...LIST_TIERS.relationship_tier.map((tier) => ({ value: tier, label: t(`tiers.relationship_tier.${tier}`) }))]}
        />
      </Form.Item>
      <Form.Item label={t('customers.householdBand')} htmlFor="filter-household-band">
        <Select<AumBand | 'any' | 'all'>
          data-testid="household-band-filter"
          id="filter-household-band"
          style={{ width: 130 }}
          value={value.householdBand ?? 'all'}
          onChange={(v) => apply({ householdBand: v === 'all' ? undefined : v })}
          options={[
            { value: 'all' as const, label: t('common.any') },
            { value: 'any' as const, label: t('customers.inHousehold') },
            ...LIST_TIERS.aum_band.map((tier) => ({ value: tier, label: t(`tiers.aum_band.${tier}`) })),
          ]}
          popupMatchSelectWidth={false}
        />
      </Form.Item>
      <Form.Item label={t('customers.openedAfter')} htmlFor="filter-opened-after">
        <DatePicker
          data-testid="opened-after"
          id="filter-opened-after"
          value={value.openedAfter ? dayjs(value.openedAfter) : null}
          onChange={(d) => apply({ openedAfter: d ? d.format('YYYY-MM-DD') : undefined })}
          style={{ width: 140 }}
        />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" onClick={() => apply()} icon={<SearchOutlined />} disabled={rangeInvalid} data-testid="filter-apply">
            {t('common.search')}
          </Button>
          <Button icon={<ReloadOutlined />} onClick={() => onChange(EMPTY_FILTERS)} data-testid="filter-reset">
            {t('common.reset')}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}
