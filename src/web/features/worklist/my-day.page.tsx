import { Alert, Button, Card, Col, Row, Space, Statistic, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentUser } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ExportButton, MyExportsButton } from '../exports/export-button.js';
import { PlanHeader, PlanTable } from './my-day.plan.js';
import { REMINDERS_PAGE_SIZE, RemindersPanel } from './my-day.reminders.js';
import { KIND_LIST, worklistApi, type ReminderKind, type Sheet } from './worklist.api.js';
import { KIND_HEX } from './worklist.parts.js';
import { PageTitle } from '../../app/page-title.js';
import { AvailabilitySwitch } from '../serving/availability-switch.js';

/** The bank's own Excel sheets (个人客户信息梳理表, 递进沟通表), exported in the background (features/exports), and "My exports". */
export function SheetButtons({ staffId, from, to }: { staffId?: string; from?: string; to?: string }) {
  const { t } = useTranslation();
  const sheets: [Sheet, string][] = [
    ['customer_info', t('worklist.sheets.customerInfo')],
    ['contact_log', t('worklist.sheets.contactLog')],
  ];
  return (
    <Space size={6} wrap>
      {sheets.map(([sheet, label]) => (
        <ExportButton
          key={sheet}
          size="small"
          label={label}
          title={t('worklist.sheets.note')}
          request={sheet === 'contact_log' ? { kind: sheet, filters: { staffId, from, to } } : { kind: sheet, filters: { staffId } }}
          testId={`sheet-${sheet}`}
        />
      ))}
      <MyExportsButton size="small" />
    </Space>
  );
}

/** "My day", the home page of every owner: today's reminders by kind, the contact plan, quick logging. */
export function MyDayPage() {
  const { t, i18n } = useTranslation();
  const user = useCurrentUser();
  const [tab, setTab] = useState<ReminderKind>('risk');
  const [page, setPage] = useState(1);
  const reminders = useApi(`my-day/reminders/${tab}/${page}/${i18n.language}`, (signal) => worklistApi.reminders({ kind: tab, page, pageSize: REMINDERS_PAGE_SIZE }, signal));
  const plan = useApi(`my-day/plan/${i18n.language}`, (signal) => worklistApi.plan({}, signal));
  const reload = () => {
    reminders.reload();
    plan.reload();
  };
  const asOf = reminders.data?.asOf ?? plan.data?.planDate ?? null;
  const error = reminders.error ?? plan.error;

  return (
    <div data-testid="my-day">
      <Card size="small" className="section-card">
        <Row gutter={16} align="middle">
          <Col flex="auto">
            <PageTitle>
              {t('worklist.myDay.title')}
            </PageTitle>
            <Typography.Text type="secondary" data-testid="my-day-as-of">
              {asOf
                ? [plan.data ? t('worklist.myDay.greeting', { name: user.name, date: plan.data.workDate }) : user.name, t('worklist.common.asOf', { date: asOf })].join(' · ')
                : t('worklist.common.noData')}
            </Typography.Text>
            <div style={{ marginTop: 8 }}>
              <Space wrap size={16}>
                <SheetButtons />
                <AvailabilitySwitch />
              </Space>
            </div>
          </Col>
          {KIND_LIST.map((kind) => (
            <Col key={kind}>
              <Statistic title={t(`worklist.kinds.${kind}`)} value={reminders.data?.counts[kind] ?? 0} styles={{ content: { color: KIND_HEX[kind], fontSize: 22 } }} />
            </Col>
          ))}
          <Col>
            <Statistic title={t('worklist.review.progress')} value={plan.data?.contacted ?? 0} suffix={`/ ${plan.data?.planned ?? 0}`} styles={{ content: { fontSize: 22 } }} />
          </Col>
        </Row>
      </Card>
      {error && <Alert type="error" showIcon title={error.message} style={{ marginBottom: 12 }} action={<Button size="small" onClick={reload}>{t('app.retry')}</Button>} />}
      <Card size="small" className="section-card" title={t('worklist.myDay.reminders')} data-testid="my-day-reminders">
        <RemindersPanel
          reminders={reminders.data}
          loading={reminders.loading}
          onChanged={reload}
          tab={tab}
          onTab={(kind) => {
            setTab(kind);
            setPage(1);
          }}
          page={page}
          onPage={setPage}
        />
      </Card>
      <Card size="small" className="section-card" data-testid="my-day-plan">
        <PlanHeader plan={plan.data} editable onChanged={reload} />
        <PlanTable plan={plan.data} loading={plan.loading} onChanged={reload} />
      </Card>
    </div>
  );
}
