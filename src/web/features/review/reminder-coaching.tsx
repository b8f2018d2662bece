import { SolutionOutlined } from '@ant-design/icons';
import { Button, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

// On My day, a reminder about no customer: the coaching follow-up of the monthly review (its
// facts name the manager). It is closed by recording the follow-up on the coaching log, which the
// row links to.

interface NoCustomerReminder {
  event: string;
  occurrence: string;
  facts: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** The manager the follow-up is with, in place of a customer. */
export function NoCustomerCell({ reminder }: { reminder: NoCustomerReminder }) {
  const { t } = useTranslation();
  return (
    <span data-testid={`reminder-staff-${reminder.occurrence}`}>
      <Tag color="purple">{t('review.myDay.coaching')}</Tag> {str(reminder.facts.staff_name) ?? str(reminder.facts.staff_id) ?? ''}
    </span>
  );
}

/** The coaching log of that manager, where the follow-up is recorded (and the reminder done). */
export function NoCustomerAction({ reminder }: { reminder: NoCustomerReminder }) {
  const { t } = useTranslation();
  const staffId = str(reminder.facts.staff_id);
  const to = `/monthly-review?tab=coaching${staffId ? `&staffId=${encodeURIComponent(staffId)}` : ''}`;
  return (
    <Link to={to} data-testid={`reminder-coaching-${reminder.occurrence}`}>
      <Button size="small" icon={<SolutionOutlined />}>
        {t('review.myDay.open')}
      </Button>
    </Link>
  );
}
