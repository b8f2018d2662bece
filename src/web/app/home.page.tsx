import { SmileOutlined } from '@ant-design/icons';
import { Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { menuFor } from './menu.js';
import { PageTitle } from './page-title.js';
import { useCurrentUser } from './session.js';

/** Home: the first page the role may use; a friendly word for roles with none yet (the administrator). */
export function HomePage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const first = menuFor(user.permissions)[0];
  if (first) return <Navigate to={first.path} replace />;
  return (
    <Result
      icon={<SmileOutlined />}
      title={<PageTitle>{t('home.welcome', { name: user.name })}</PageTitle>}
      subTitle={
        <>
          <div data-testid="nothing-for-role">{t('home.nothingYet', { role: t(`roles.${user.role}`) })}</div>
          <div>{t('home.nothingYetHint')}</div>
        </>
      }
    />
  );
}
