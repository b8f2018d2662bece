import { BankOutlined, LogoutOutlined, MenuFoldOutlined, MenuOutlined, MenuUnfoldOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, Space, Tag, Tooltip } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { RunStatusBadge } from '../features/system/run-status.js';
import { LanguageSwitch } from './language-switch.js';
import { menuFor, type MenuEntry } from './menu.js';
import { useCurrentUser, useSession } from './session.js';

/** The role's menu as a list of links (a menu of pages, not an application menu: links keep their role). */
function NavMenu({ entries, selected, onNavigate }: { entries: MenuEntry[]; selected: string[]; onNavigate?: () => void }) {
  const { t } = useTranslation();
  return (
    <Menu
      mode="inline"
      selectedKeys={selected}
      onClick={onNavigate}
      items={entries.map((e) => {
        const Icon = e.icon;
        return { key: e.path, icon: <Icon />, label: <Link to={e.path} aria-current={selected.includes(e.path) ? 'page' : undefined}>{t(e.labelKey)}</Link> };
      })}
    />
  );
}

/**
 * The frame around every signed-in page: who and where in the header, the role's menu on the
 * left, the page in the one `main` landmark. From the lg breakpoint down (tablets, phones) the
 * menu moves into a drawer opened by a button in the header, and the header keeps only what fits.
 */
export function FrameLayout() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const { signOut } = useSession();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = screens.lg === false;
  const [signingOut, setSigningOut] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const main = useRef<HTMLElement>(null);
  const entries = menuFor(user.permissions);
  const selected = entries.filter((e) => location.pathname === e.path || location.pathname.startsWith(`${e.path}/`)).map((e) => e.path);

  // a new page closes the drawer
  useEffect(() => setDrawer(false), [location.pathname]);

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut(); // the guard then shows the sign-in page
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <Layout className="frame">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <Layout.Header className="frame__header">
        {narrow && entries.length > 0 && (
          <Button
            type="text"
            className="frame__menu-button"
            icon={<MenuOutlined />}
            aria-label={t('app.menu')}
            aria-expanded={drawer}
            aria-controls="frame-drawer-menu"
            onClick={() => setDrawer(true)}
            data-testid="menu-button"
          />
        )}
        <Link to="/" className="frame__brand">
          <span className="brand-mark brand-mark--small" aria-hidden="true">
            S
          </span>
          <span className="frame__product">{t('app.name')}</span>
        </Link>
        {user.bankName && (
          <span className="frame__bank" data-testid="bank-name">
            <BankOutlined /> {user.bankName}
          </span>
        )}
        {/* the latest business date, and "as of last night's run" when the run is late */}
        <RunStatusBadge />
        <div className="frame__spacer" />
        <Space size={12} className="frame__user">
          <span data-testid="user-branch" className="frame__user-branch">
            {user.branch?.name ?? t('app.noBranch')}
          </span>
          <span className="frame__divider" />
          <span data-testid="user-name" className="frame__user-name">
            <UserOutlined /> {user.name}
          </span>
          <Tag color="blue" variant="filled" data-testid="user-role" className="frame__user-role" style={{ marginInlineEnd: 0 }}>
            {t(`roles.${user.role}`)}
          </Tag>
          <LanguageSwitch ghost />
          <Tooltip title={t('app.signOut')}>
            <Button size="small" ghost icon={<LogoutOutlined />} loading={signingOut} onClick={() => void onSignOut()} aria-label={t('app.signOut')} data-testid="sign-out">
              <span className="frame__sign-out-text">{t('app.signOut')}</span>
            </Button>
          </Tooltip>
        </Space>
      </Layout.Header>
      <Layout>
        {entries.length > 0 && !narrow && (
          <Layout.Sider width={184} theme="light" collapsible collapsed={collapsed} trigger={null} className="frame__sider">
            <nav aria-label={t('app.mainNav')}>
              <NavMenu entries={entries} selected={selected} />
            </nav>
            <Button
              type="text"
              block
              className="frame__collapse"
              icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
              aria-label={t('app.menu')}
              aria-expanded={!collapsed}
              onClick={() => setCollapsed(!collapsed)}
              data-testid="menu-collapse"
            />
          </Layout.Sider>
        )}
        {entries.length > 0 && narrow && (
          <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={240} title={t('app.mainNav')} styles={{ body: { padding: 0 } }} data-testid="menu-drawer">
            <nav aria-label={t('app.mainNav')} id="frame-drawer-menu">
              <NavMenu entries={entries} selected={selected} onNavigate={() => setDrawer(false)} />
            </nav>
          </Drawer>
        )}
        <Layout.Content className="frame__content" id="main" tabIndex={-1} ref={main}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
