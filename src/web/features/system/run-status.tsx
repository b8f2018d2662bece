import { CalendarOutlined, WarningOutlined } from '@ant-design/icons';
import { Grid, Tag, Tooltip } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { chinaTime } from '../../app/china-time.js';
import { runsApi, type RunStatus } from './runs.api.js';

// The header's business date on every page, and "as of last night's run" beside it when the run
// is late (GET /api/system/runs/latest: the newest run failed, or the latest successful batch is
// more than 26 hours old). Asked when the frame opens and again on a new page once a minute has
// passed, or every ten minutes on a page left open.

const AGAIN_AFTER_MS = 60_000;
const EVERY_MS = 10 * 60_000;

function useRunStatus(): RunStatus | null {
  const [status, setStatus] = useState<RunStatus | null>(null);
  const askedAt = useRef(0);
  const location = useLocation();

  useEffect(() => {
    let live = true;
    const ask = () => {
      askedAt.current = Date.now();
      runsApi.status().then(
        (s) => live && setStatus(s),
        () => undefined, // the header keeps what it had; the page itself reports a lost connection
      );
    };
    if (Date.now() - askedAt.current >= AGAIN_AFTER_MS) ask();
    const timer = setInterval(ask, EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [location.pathname]);
  return status;
}

export function RunStatusBadge() {
  const { t } = useTranslation();
  const status = useRunStatus();
  // a phone's header keeps only the warning (its words in the tooltip)
  const phone = Grid.useBreakpoint().sm === false;
  if (!status) return null;
  const { latestBusinessDate: date, lastRun } = status;
  const lines: string[] = [];
  if (lastRun?.late) {
    if (lastRun.lateBecause === 'failed') {
      lines.push(t('runs.header.failed', { kind: t(`runs.kinds.${lastRun.kind}`), time: chinaTime(lastRun.startedAt), outcome: t(`runs.outcomes.${lastRun.outcome}`) }));
    } else if (lastRun.lateBecause === 'old') {
      lines.push(t('runs.header.old'));
    }
    lines.push(
      lastRun.lastSuccess
        ? t('runs.header.lastSuccess', { date: lastRun.lastSuccess.businessDate ?? '—', time: chinaTime(lastRun.lastSuccess.finishedAt) })
        : t('runs.header.noSuccess'),
    );
  }
  return (
    <span data-testid="business-date" style={{ lineHeight: '20px', flex: 'none' }}>
      {!phone && (
        <span data-testid="business-date-text">
          <CalendarOutlined /> {date ? t('runs.header.businessDate', { date }) : t('runs.header.noDate')}
        </span>
      )}
      {lastRun?.late && (
        <Tooltip
          title={
            <span data-testid="run-late-tip">
              {phone && <span style={{ display: 'block' }}>{date ? t('runs.header.businessDate', { date }) : t('runs.header.noDate')}</span>}
              {lines.map((l) => (
                <span key={l} style={{ display: 'block' }}>
                  {l}
                </span>
              ))}
            </span>
          }
          trigger={['hover', 'focus']}
        >
          <Tag color="orange" icon={<WarningOutlined />} tabIndex={0} data-testid="run-late" style={{ marginInlineStart: 8, marginInlineEnd: 0, cursor: 'help' }}>
            {phone ? null : t('runs.header.late')}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}
