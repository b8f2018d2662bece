import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { LanguageSwitch } from './language-switch.js';
import { useSession } from './session.js';

interface SignInForm {
  login: string;
  password: string;
}

/** Only same-site paths are followed after signing in (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

export function SignInPage() {
  const { t } = useTranslation();
  const { user, signIn, checkError } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const next = safeNext(params.get('next'));

  if (user) return <Navigate to={next} replace />;

  const onFinish = async (values: SignInForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await signIn(values.login.trim(), values.password);
      void navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setSubmitting(false);
    }
  };

  return (
    <main className="sign-in">
      <div className="sign-in__lang">
        <LanguageSwitch />
      </div>
      <Card className="sign-in__card" variant="borderless">
        <div className="sign-in__brand">
          <div className="brand-mark" aria-hidden="true">
            S
          </div>
          <div>
            <Typography.Title level={1} className="page-title">
              {t('app.fullName')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.tagline')}</Typography.Text>
          </div>
        </div>
        {(error ?? checkError) && (
          <Alert type="error" showIcon title={t('signIn.failed')} description={error ?? checkError} style={{ marginBottom: 16 }} data-testid="sign-in-error" />
        )}
        <Form<SignInForm> layout="vertical" requiredMark={false} onFinish={(values) => void onFinish(values)} size="large">
          <Form.Item name="login" label={t('signIn.login')} rules={[{ required: true, whitespace: true, message: t('signIn.loginRequired') }]}>
            <Input id="login" name="login" prefix={<UserOutlined />} placeholder={t('signIn.loginPlaceholder')} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
            <Input.Password id="password" name="password" prefix={<LockOutlined />} placeholder={t('signIn.passwordPlaceholder')} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="sign-in-submit">
            {t('signIn.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" className="sign-in__footer">
          {t('signIn.footer')}
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
