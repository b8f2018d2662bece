import { StopOutlined } from '@ant-design/icons';
import { Space, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { STATE_HEX } from '../../app/theme.js';
import { Wan } from '../customers/money.view.js';
import { ListTierTag } from '../tiering/tier-labels.js';
import type { ReminderKind } from './worklist.api.js';
import type { worklistZh } from './worklist.locale.js';

// Small pieces the worklist pages share: event names, kinds, the customer as every row shows it.

type EventName = keyof typeof worklistZh.events;
const EVENT_NAMES = new Set<string>([
  'birthday_soon', 'large_outflow', 'large_inflow', 'maturing', 'matured_not_reinvested', 'aum_rise', 'aum_fall', 'card_cancelled',
  'vip_card_due', 'card_below_standard', 'tier_changed', 'festival_soon', 'anniversary_soon', 'contact_due', 'opportunity_due', 'opportunity_stale', 'risk_reassess', 'coaching_follow_up', 'complaint_open', 'complaint_escalated', 'counter_handover', 'gathering_invite', 'gathering_follow_up',
]);
const isEventName = (e: string): e is EventName => EVENT_NAMES.has(e);

export const KIND_COLOR: Record<ReminderKind, string> = { risk: 'red', opportunity: 'green', information: 'blue', work_task: 'purple' };
/** The kinds' colours as text and badge colours (≥ 4.5:1 on white, and white on them). */
export const KIND_HEX: Record<ReminderKind, string> = { risk: STATE_HEX.red, opportunity: STATE_HEX.green, information: STATE_HEX.blue, work_task: STATE_HEX.purple };

/** An event type in the current language; an id the web app does not know yet is shown as is. */
export function useEventName(): (event: string) => string {
  const { t } = useTranslation();
  return (event) => (isEventName(event) ? t(`worklist.events.${event}`) : event);
}

export function KindTag({ kind }: { kind: ReminderKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={KIND_COLOR[kind]} style={{ marginInlineEnd: 0 }}>
      {t(`worklist.kinds.${kind}`)}
    </Tag>
  );
}

/** "Service only", with why on hover: do-not-disturb or no marketing consent. */
export function ServiceOnlyTag({ reason, testId }: { reason: string | null; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('worklist.common.serviceOnlyHint', { reason: reason ?? '' })}>
      <Tag color="orange" icon={<StopOutlined />} data-testid={testId} style={{ marginInlineEnd: 0 }}>
        {t('worklist.common.serviceOnly')}
      </Tag>
    </Tooltip>
  );
}

export interface BriefCustomer {
  customerId: string;
  name: string;
  aum: string;
  aumBand: string | null;
  relationshipTier: string | null;
  serviceOnly: boolean;
  serviceOnlyReason: string | null;
}

export function CustomerCell({ customer, showMoney = true }: { customer: BriefCustomer; showMoney?: boolean }) {
  return (
    <Space size={6} wrap>
      <Link to={`/customers/${encodeURIComponent(customer.customerId)}`} data-testid={`customer-link-${customer.customerId}`}>
        <strong>{customer.name}</strong> <span className="money muted">{customer.customerId}</span>
      </Link>
      {showMoney && <Wan yuan={customer.aum} />}
      <ListTierTag model="aum_band" tier={customer.aumBand} />
      <ListTierTag model="relationship_tier" tier={customer.relationshipTier} />
      {customer.serviceOnly && <ServiceOnlyTag reason={customer.serviceOnlyReason} testId={`service-only-${customer.customerId}`} />}
    </Space>
  );
}
