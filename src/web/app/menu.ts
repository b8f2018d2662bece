import type { ComponentType } from 'react';
import { AuditOutlined, BarChartOutlined, PartitionOutlined, ShareAltOutlined, SolutionOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import type { Permission } from '../../features/access/access.permissions.js';

/** The left menu, in one place: each entry shows only to roles holding its permission. */
export interface MenuEntry {
  path: string;
  labelKey: 'menu.customers' | 'menu.branch' | 'menu.policies' | 'ownership.menu.mine' | 'ownership.menu.workbench' | 'ownership.menu.referrals' | 'audit.menu';
  icon: ComponentType;
  permission: Permission;
}

export const MENU: readonly MenuEntry[] = [
  { path: '/customers', labelKey: 'menu.customers', icon: TeamOutlined, permission: 'customers.read' },
  { path: '/my-customers', labelKey: 'ownership.menu.mine', icon: UserOutlined, permission: 'customers.read' },
  { path: '/ownership', labelKey: 'ownership.menu.workbench', icon: SolutionOutlined, permission: 'ownership.manage' },
  { path: '/referrals', labelKey: 'ownership.menu.referrals', icon: ShareAltOutlined, permission: 'customers.read' },
  { path: '/branch', labelKey: 'menu.branch', icon: BarChartOutlined, permission: 'reports.branch' },
  { path: '/policies', labelKey: 'menu.policies', icon: PartitionOutlined, permission: 'policies.read' },
  { path: '/audit', labelKey: 'audit.menu', icon: AuditOutlined, permission: 'audit.read' },
];

export function menuFor(permissions: readonly Permission[]): MenuEntry[] {
  return MENU.filter((entry) => permissions.includes(entry.permission));
}
