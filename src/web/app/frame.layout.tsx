import { BankOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Space, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { LanguageSwitch } from './language-switch.js';
import { menuFor } from './menu.js';
import { useCurrentUser, useSession } from './session.js';

/** The frame around every signed-in page: who and where in the header, the role's menu on the left. */
export function FrameLayout() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const { signOut } = useSession();
  const location = useLocation();
  const [signingOut, setSigningOut] = useState(false);
  const entries = menuFor(user.permissions);
  const selected = entries.filter((e) => location.pathname === e.path || location.pathname.startsWith(`${e.path}/`)).map((e) => e.path);

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
      <Layout.Header className="frame__header">
        <Link to="/" className="frame__brand">
          <span className="brand-mark brand-mark--small">S</span>
          <span className="frame__product">{t('app.name')}</span>
        </Link>
        {user.bankName && (
          <span className="frame__bank" data-testid="bank-name">
            <BankOutlined /> {user.bankName}
          </span>
        )}
        <div className="frame__spacer" />
        <Space size={12} className="frame__user">
          <span data-testid="user-branch">{user.branch?.name ?? t('app.noBranch')}</span>
          <span className="frame__divider" />
          <span data-testid="user-name">
            <UserOutlined /> {user.name}
          </span>
          <Tag color="blue" variant="filled" data-testid="user-role" style={{ marginInlineEnd: 0 }}>
            {t(`roles.${user.role}`)}
          </Tag>
          <LanguageSwitch ghost />
          <Tooltip title={t('app.signOut')}>
            <Button size="small" ghost icon={<LogoutOutlined />} loading={signingOut} onClick={() => void onSignOut()} data-testid="sign-out">
              {t('app.signOut')}
            </Button>
          </Tooltip>
        </Space>
      </Layout.Header>
      <Layout>
        {entries.length > 0 && (
          <Layout.Sider width={184} theme="light" collapsible breakpoint="lg" className="frame__sider">
            <Menu
              mode="inline"
              selectedKeys={selected}
              items={entries.map((e) => {
                const Icon = e.icon;
                return { key: e.path, icon: <Icon />, label: <Link to={e.path}>{t(e.labelKey)}</Link> };
              })}
            />
          </Layout.Sider>
        )}
        <Layout.Content className="frame__content">
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
