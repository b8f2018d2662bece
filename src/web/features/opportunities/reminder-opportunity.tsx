import { AimOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../ownership/ownership.parts.js';
import { opportunitiesApi } from './opportunities.api.js';

/**
 * "Make an opportunity" on a reminder of My day: one click — the server takes the reminder's
 * customer, suggests the target, amount and next step, and closes the reminder. On the
 * opportunities' own reminders (a next step due, a stale one): a link to them instead.
 */
export function ReminderOpportunityButton({ reminder, onCreated }: { reminder: { customer: { customerId: string }; event: string; occurrence: string }; onCreated: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const id = reminder.customer.customerId;
  if (reminder.event.startsWith('opportunity_')) {
    return (
      <Link to="/opportunities" data-testid={`reminder-opportunity-link-${id}`}>
        <Button size="small" icon={<AimOutlined />}>
          {t('opportunities.menu.mine')}
        </Button>
      </Link>
    );
  }
  const create = async () => {
    setBusy(true);
    try {
      const o = await opportunitiesApi.create({ customerId: id, reminder: `${reminder.event}/${reminder.occurrence}` });
      message.success(t('opportunities.myDay.created', { target: o.target.label }));
      onCreated();
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" icon={<AimOutlined />} loading={busy} onClick={() => void create()} data-testid={`reminder-opportunity-${id}-${reminder.event}`}>
      {t('opportunities.myDay.create')}
    </Button>
  );
}
