import type { ComponentType } from 'react';
import { AimOutlined, CrownOutlined, GiftOutlined, CoffeeOutlined, AlertOutlined, AuditOutlined, ExclamationCircleOutlined, ClusterOutlined, CommentOutlined, GroupOutlined, MessageOutlined, SendOutlined, SafetyCertificateOutlined, DashboardOutlined, CreditCardOutlined, ContactsOutlined, FundProjectionScreenOutlined, HistoryOutlined, BarChartOutlined, CalendarOutlined, CarryOutOutlined, FieldTimeOutlined, FileSearchOutlined, PartitionOutlined, ShareAltOutlined, ShopOutlined, SolutionOutlined, TeamOutlined, TrophyOutlined, UserOutlined, IdcardOutlined } from '@ant-design/icons';
import type { Permission } from '../../features/access/access.permissions.js';

/** The left menu, in one place: each entry shows only to roles holding its permission. */
export interface MenuEntry {
  path: string;
  labelKey: 'menu.customers' | 'menu.branch' | 'menu.policies' | 'ownership.menu.mine' | 'ownership.menu.workbench' | 'ownership.menu.referrals' | 'audit.menu' | 'worklist.menu.myDay' | 'worklist.menu.plans' | 'worklist.menu.workLog' | 'worklist.menu.maturing' | 'runs.menu' | 'selling.menu.signings' | 'opportunities.menu.mine' | 'opportunities.menu.review' | 'opportunities.menu.prospects' | 'performance.menu' | 'dashboards.menu.branch' | 'dashboards.menu.branches' | 'review.menu.review' | 'review.menu.mine' | 'outreach.menu.groups' | 'outreach.menu.templates' | 'greetings.menu' | 'complaints.menu.mine' | 'outreach.menu.campaigns' | 'serving.menu.counter' | 'serving.menu.entitlementPolicy' | 'complaints.menu.escalated' | 'profile.menu' | 'gatherings.menu';
  icon: ComponentType;
  permission: Permission;
}

// "My day" first: it is the home page of every owner (home.page.tsx opens the first entry).
export const MENU: readonly MenuEntry[] = [
  { path: '/my-day', labelKey: 'worklist.menu.myDay', icon: CarryOutOutlined, permission: 'worklist.own' },
  { path: '/counter', labelKey: 'serving.menu.counter', icon: ShopOutlined, permission: 'counter.search' },
  { path: '/customers', labelKey: 'menu.customers', icon: TeamOutlined, permission: 'customers.read' },
  { path: '/my-customers', labelKey: 'ownership.menu.mine', icon: UserOutlined, permission: 'customers.read' },
  { path: '/ownership', labelKey: 'ownership.menu.workbench', icon: SolutionOutlined, permission: 'ownership.manage' },
  { path: '/profile-outlet', labelKey: 'profile.menu', icon: IdcardOutlined, permission: 'profile.collect' },
  { path: '/referrals', labelKey: 'ownership.menu.referrals', icon: ShareAltOutlined, permission: 'customers.read' },
  { path: '/work-log', labelKey: 'worklist.menu.workLog', icon: CalendarOutlined, permission: 'worklist.own' },
  { path: '/maturing', labelKey: 'worklist.menu.maturing', icon: FieldTimeOutlined, permission: 'worklist.own' },
  { path: '/opportunities', labelKey: 'opportunities.menu.mine', icon: AimOutlined, permission: 'opportunities.own' },
  { path: '/prospects', labelKey: 'opportunities.menu.prospects', icon: ContactsOutlined, permission: 'opportunities.own' },
  { path: '/plans', labelKey: 'worklist.menu.plans', icon: FileSearchOutlined, permission: 'worklist.review' },
  { path: '/opportunity-review', labelKey: 'opportunities.menu.review', icon: FundProjectionScreenOutlined, permission: 'opportunities.review' },
  { path: '/monthly-review', labelKey: 'review.menu.review', icon: SafetyCertificateOutlined, permission: 'review.manage' },
  { path: '/my-coaching', labelKey: 'review.menu.mine', icon: CommentOutlined, permission: 'coaching.own' },
  { path: '/groups', labelKey: 'outreach.menu.groups', icon: GroupOutlined, permission: 'groups.manage' },
  { path: '/templates', labelKey: 'outreach.menu.templates', icon: MessageOutlined, permission: 'templates.write' },
  { path: '/greetings', labelKey: 'greetings.menu', icon: GiftOutlined, permission: 'greetings.approve' },
  { path: '/campaigns', labelKey: 'outreach.menu.campaigns', icon: SendOutlined, permission: 'campaigns.read' },
  { path: '/gatherings', labelKey: 'gatherings.menu', icon: CoffeeOutlined, permission: 'gatherings.read' },
  { path: '/complaints', labelKey: 'complaints.menu.mine', icon: ExclamationCircleOutlined, permission: 'complaints.record' },
  { path: '/complaint-escalations', labelKey: 'complaints.menu.escalated', icon: AlertOutlined, permission: 'complaints.escalated' },
  { path: '/signings', labelKey: 'selling.menu.signings', icon: CreditCardOutlined, permission: 'signings.request' },
  { path: '/performance', labelKey: 'performance.menu', icon: TrophyOutlined, permission: 'performance.read' },
  { path: '/branch', labelKey: 'menu.branch', icon: BarChartOutlined, permission: 'reports.branch' },
  { path: '/dashboards/branch', labelKey: 'dashboards.menu.branch', icon: DashboardOutlined, permission: 'reports.dashboards' },
  { path: '/dashboards/branches', labelKey: 'dashboards.menu.branches', icon: ClusterOutlined, permission: 'reports.dashboards' },
  { path: '/policies', labelKey: 'menu.policies', icon: PartitionOutlined, permission: 'policies.read' },
  { path: '/entitlement-policies', labelKey: 'serving.menu.entitlementPolicy', icon: CrownOutlined, permission: 'policies.read' },
  { path: '/audit', labelKey: 'audit.menu', icon: AuditOutlined, permission: 'audit.read' },
  { path: '/runs', labelKey: 'runs.menu', icon: HistoryOutlined, permission: 'system.runs' },
];

export function menuFor(permissions: readonly Permission[]): MenuEntry[] {
  return MENU.filter((entry) => permissions.includes(entry.permission));
}
