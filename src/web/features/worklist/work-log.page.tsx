import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Alert, Button, Calendar, Card, DatePicker, Empty, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ownershipApi } from '../ownership/ownership.api.js';
import { StaffName, StaffSelect } from '../ownership/ownership.parts.js';
import { SheetButtons } from './my-day.page.js';
import { CHANNEL_LIST, OUTCOME_LIST, worklistApi, type Channel, type Contact, type Outcome } from './worklist.api.js';
import { KindTag } from './worklist.parts.js';
import { chinaDate, chinaTime, chinaToday } from '../../app/china-time.js';
import { PageTitle } from '../../app/page-title.js';

// The work log as a month calendar: how many contacts each day, the chosen day's contacts below.
// A branch head (and the department) may look at another owner's log. Only the month view: the
// counts are per day, so the calendar's year view (months, nothing counted) is not offered.

/** The calendar's header: the month shown, the one before and after, and this month. */
function MonthHeader({ value, onChange }: { value: Dayjs; onChange: (d: Dayjs) => void }) {
  const { t } = useTranslation();
  return (
    <Space style={{ width: '100%', justifyContent: 'flex-end', padding: '8px 0' }} data-testid="work-log-month">
      <Button size="small" icon={<LeftOutlined />} aria-label={t('worklist.workLog.prevMonth')} title={t('worklist.workLog.prevMonth')} onClick={() => onChange(value.subtract(1, 'month'))} data-testid="work-log-prev" />
      <DatePicker picker="month" size="small" allowClear={false} aria-label={t('worklist.workLog.month')} value={value} onChange={(d: Dayjs | null) => d && onChange(d)} data-testid="work-log-month-picker" />
      <Button size="small" icon={<RightOutlined />} aria-label={t('worklist.workLog.nextMonth')} title={t('worklist.workLog.nextMonth')} onClick={() => onChange(value.add(1, 'month'))} data-testid="work-log-next" />
      <Button size="small" onClick={() => onChange(dayjs(chinaToday()))}>
        {t('worklist.workLog.thisMonth')}
      </Button>
    </Space>
  );
}

const isChannel = (c: string): c is Channel => (CHANNEL_LIST as readonly string[]).includes(c);
const isOutcome = (o: string): o is Outcome => (OUTCOME_LIST as readonly string[]).includes(o);

function OwnerPicker({ value, onChange }: { value: string | undefined; onChange: (v: string | undefined) => void }) {
  const { t } = useTranslation();
  const staff = useApi('work-log/staff', (signal) => ownershipApi.staff(signal));
  return (
    <Space>
      <span>{t('worklist.workLog.owner')}</span>
      <StaffSelect staff={staff.data?.items ?? []} value={value} onChange={(v) => onChange(v)} label={t('worklist.workLog.owner')} testId="work-log-owner" />
      {value && (
        <Typography.Link onClick={() => onChange(undefined)}>{t('worklist.workLog.me')}</Typography.Link>
      )}
    </Space>
  );
}

export function WorkLogPage() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [month, setMonth] = useState<Dayjs>(() => dayjs(chinaToday()).startOf('month'));
  const [day, setDay] = useState<Dayjs>(() => dayjs(chinaToday()));
  const [staffId, setStaffId] = useState<string | undefined>(undefined);
  const from = month.startOf('month').format('YYYY-MM-DD');
  const to = month.endOf('month').format('YYYY-MM-DD');
  const log = useApi(`work-log/${from}/${to}/${staffId ?? ''}/${i18n.language}`, (signal) => worklistApi.log({ from, to, staffId }, signal));
  const perDay = new Map((log.data?.days ?? []).map((d) => [d.date, d.contacts]));
  const dayText = day.format('YYYY-MM-DD');
  const dayItems = (log.data?.items ?? []).filter((c) => chinaDate(c.contactedAt) === dayText);

  const columns: TableColumnsType<Contact> = [
    { key: 'time', title: t('worklist.workLog.time'), width: 70, render: (_, c) => <span className="money">{chinaTime(c.contactedAt).slice(11)}</span> },
    {
      key: 'customer',
      title: t('worklist.common.customer'),
      render: (_, c) => (
        <Link to={`/customers/${encodeURIComponent(c.customer.customerId)}`}>
          <strong>{c.customer.name}</strong> <span className="money muted">{c.customer.customerId}</span>
        </Link>
      ),
    },
    { key: 'channel', title: t('worklist.contact.channel'), render: (_, c) => (isChannel(c.channel) ? t(`worklist.channels.${c.channel}`) : c.channel) },
    { key: 'outcome', title: t('worklist.contact.outcome'), render: (_, c) => (c.outcome ? (isOutcome(c.outcome) ? t(`worklist.outcomes.${c.outcome}`) : c.outcome) : t('common.none')) },
    { key: 'notes', title: t('worklist.contact.notes'), render: (_, c) => c.notes ?? '' },
    { key: 'next', title: t('worklist.workLog.next'), render: (_, c) => <span className="money">{c.nextContactOn ?? ''}</span> },
    {
      key: 'closed',
      title: t('worklist.workLog.closed'),
      render: (_, c) => (
        <Space size={4} wrap>
          {c.closedReminders.map((r) => (
            <span key={`${r.event}/${r.occurrence}`} title={r.summary}>
              <KindTag kind={r.kind} />
            </span>
          ))}
        </Space>
      ),
    },
    { key: 'by', title: t('worklist.workLog.by'), render: (_, c) => <StaffName staff={c.staff} /> },
  ];

  return (
    <div data-testid="work-log">
      <Card size="small" className="section-card">
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <PageTitle>
            {t('worklist.workLog.title')}
          </PageTitle>
          <Space wrap>
            {can('worklist.review') && can('ownership.manage') && <OwnerPicker value={staffId} onChange={setStaffId} />}
            <SheetButtons staffId={staffId} from={from} to={to} />
          </Space>
        </Space>
        {log.error && <Alert type="error" showIcon title={log.error.message} style={{ marginTop: 12 }} />}
        <Calendar
          value={day}
          onSelect={(d) => setDay(d)}
          onPanelChange={(d) => {
            setMonth(d.startOf('month'));
            setDay(d);
          }}
          mode="month"
          headerRender={({ value, onChange }) => <MonthHeader value={value} onChange={onChange} />}
          cellRender={(d, info) => {
            if (info.type !== 'date' || !d.isSame(month, 'month')) return null;
            const n = perDay.get(d.format('YYYY-MM-DD')) ?? 0;
            return n > 0 ? (
              <Tag color="blue" data-testid={`work-log-count-${d.format('YYYY-MM-DD')}`} style={{ marginTop: 4 }}>
                {t('worklist.workLog.contacts', { n })}
              </Tag>
            ) : null;
          }}
        />
      </Card>
      <Card size="small" className="section-card" title={t('worklist.workLog.dayList', { date: dayText })} data-testid="work-log-day">
        <Table<Contact>
          size="small"
          rowKey="contactId"
          loading={log.loading}
          columns={columns}
          dataSource={dayItems}
          pagination={false}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('worklist.workLog.empty')} /> }}
        />
      </Card>
    </div>
  );
}
