import { App, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { errorText } from '../ownership/ownership.parts.js';
import { servingApi } from './serving.api.js';

/** On My day, for a customer manager: available today (the lobby manager may hand walk-ins over) or away. */
export function AvailabilitySwitch() {
  const { can } = useSession();
  if (!can('availability.set')) return null;
  return <AvailabilityControl />;
}

function AvailabilityControl() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [version, setVersion] = useState(0);
  const [saving, setSaving] = useState(false);
  const state = useApi(`my-availability/${version}`, (signal) => servingApi.availability(signal));
  const away = state.data?.away ?? false;
  const change = async (here: boolean) => {
    setSaving(true);
    try {
      await servingApi.setAway(!here);
      void message.success(t('serving.availability.saved'));
      setVersion((v) => v + 1);
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Space size={8}>
      <Typography.Text type="secondary">{t('serving.availability.label')}</Typography.Text>
      <Switch
        checked={!away}
        loading={saving || state.loading}
        onChange={(here) => void change(here)}
        checkedChildren={t('serving.availability.here')}
        unCheckedChildren={t('serving.availability.away')}
        aria-label={t('serving.availability.label')}
        data-testid="availability-switch"
      />
    </Space>
  );
}
