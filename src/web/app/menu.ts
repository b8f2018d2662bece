import type { ComponentType } from 'react';
import { TeamOutlined } from '@ant-design/icons';
import type { Permission } from '../../features/access/access.permissions.js';

/** The left menu, in one place: each entry shows only to roles holding its permission. */
export interface MenuEntry {
  path: string;
  labelKey: 'menu.customers';
  icon: ComponentType;
  permission: Permission;
}

export const MENU: readonly MenuEntry[] = [{ path: '/customers', labelKey: 'menu.customers', icon: TeamOutlined, permission: 'customers.read' }];

export function menuFor(permissions: readonly Permission[]): MenuEntry[] {
  return MENU.filter((entry) => permissions.includes(entry.permission));
}
