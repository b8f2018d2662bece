import { DownloadOutlined, HistoryOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Drawer, Empty, List, Progress, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { chinaTime } from '../../app/china-time.js';
import { exportsApi, type ExportJob, type ExportRequest } from './exports.api.js';

// Every export of the web app goes through here: the button starts a job on the server
// (POST /api/exports), shows its progress and, when it is done, a link to download the file. Large
// or small, an export is the same job, so the page never waits on a download. "My exports" lists
// the user's exports of the last 7 days.

const POLL_MS = 1000;
const open = (j: ExportJob | null) => j !== null && (j.status === 'queued' || j.status === 'running');

/** Follows one job until it is no longer queued or running. */
function useFollowed(initial: ExportJob | null) {
  const [job, setJob] = useState<ExportJob | null>(initial);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!open(job) || !job) return;
    const controller = new AbortController();
    timer.current = setTimeout(() => {
      exportsApi
        .get(job.exportId, controller.signal)
        .then(setJob)
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setJob({ ...job, status: 'failed', error: { code: 'client', message: err instanceof Error ? err.message : String(err) } });
        });
    }, POLL_MS);
    return () => {
      controller.abort();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [job]);
  return [job, setJob] as const;
}

/** Where a job stands: its progress bar, its download link, or why it failed. */
export function ExportStatus({ job, label }: { job: ExportJob; label: string }) {
  const { t } = useTranslation();
  if (open(job)) {
    const rows = job.rowsTotal !== null ? t('exports.rows', { done: job.rowsDone.toLocaleString('en-US'), total: job.rowsTotal.toLocaleString('en-US') }) : job.status === 'queued' ? t('exports.queued') : t('exports.running');
    return (
      <Space size={6} data-testid="export-progress">
        <Progress percent={job.percent} size="small" style={{ width: 120, margin: 0 }} aria-label={`${t('exports.progress')}: ${label}`} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }} role="status">{rows}</Typography.Text>
      </Space>
    );
  }
  if (job.status === 'done' && job.downloadUrl) {
    return (
      <Typography.Link href={job.downloadUrl} download={job.fileName ?? undefined} data-testid="export-download">
        <DownloadOutlined /> {t('exports.download', { name: job.fileName ?? '' })}
      </Typography.Link>
    );
  }
  if (job.status === 'expired') return <Typography.Text type="secondary">{t('exports.expired')}</Typography.Text>;
  return (
    <Typography.Text type="danger" role="alert" data-testid="export-error">
      {t('exports.failed')}: {job.error?.message ?? ''}
    </Typography.Text>
  );
}

export interface ExportButtonProps {
  /** what to export: the kind and its filters, as POST /api/exports takes them */
  request: ExportRequest;
  label: ReactNode;
  /** the label as text, for the progress bar's accessible name (default: label when it is text) */
  name?: string;
  title?: string;
  size?: 'small' | 'middle' | 'large';
  testId?: string;
}

/** A button that exports in the background and then offers the file. */
export function ExportButton({ request, label, name, title, size, testId }: ExportButtonProps) {
  const { t } = useTranslation();
  const [job, setJob] = useFollowed(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = useCallback(async () => {
    setStarting(true);
    setError(null);
    try {
      setJob(await exportsApi.start(request));
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setStarting(false);
    }
  }, [request, setJob]);
  const text = name ?? (typeof label === 'string' ? label : t('exports.progress'));
  return (
    <Space size={6} wrap>
      <Button size={size} icon={<DownloadOutlined />} loading={starting} disabled={open(job)} onClick={() => void start()} title={title ?? t('exports.note')} data-testid={testId}>
        {label}
      </Button>
      {job && <ExportStatus job={job} label={text} />}
      {error && (
        <Typography.Text type="danger" role="alert" data-testid="export-error">
          {error}
        </Typography.Text>
      )}
    </Space>
  );
}

/** "My exports": a button opening a drawer with the user's exports of the last 7 days. */
export function MyExportsButton({ size }: { size?: 'small' | 'middle' | 'large' }) {
  const { t, i18n } = useTranslation();
  const [shown, setShown] = useState(false);
  const [items, setItems] = useState<ExportJob[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!shown) return;
    const controller = new AbortController();
    exportsApi
      .mine(controller.signal)
      .then((d) => {
        setItems(d.items);
        setError(null);
      })
      .catch((err: unknown) => !controller.signal.aborted && setError(err instanceof Error ? err.message : String(err)));
    return () => controller.abort();
  }, [shown, attempt, i18n.language]);
  // while one of them runs, the list follows it
  useEffect(() => {
    if (!shown || !items?.some(open)) return;
    const timer = setTimeout(() => setAttempt((n) => n + 1), POLL_MS * 2);
    return () => clearTimeout(timer);
  }, [shown, items]);
  const kind = (k: ExportJob['kind']) => t(`exports.kinds.${k}`);
  return (
    <>
      <Button size={size} icon={<HistoryOutlined />} onClick={() => setShown(true)} data-testid="my-exports">
        {t('exports.mine')}
      </Button>
      <Drawer
        open={shown}
        onClose={() => setShown(false)}
        size={520}
        title={t('exports.mineTitle')}
        extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => setAttempt((n) => n + 1)} aria-label={t('exports.refresh')} title={t('exports.refresh')} />}
        data-testid="my-exports-drawer"
      >
        {error && <Typography.Text type="danger" role="alert">{error}</Typography.Text>}
        {items && items.length === 0 ? (
          <Empty description={t('exports.empty')} />
        ) : (
          <List<ExportJob>
            loading={items === null && !error}
            dataSource={items ?? []}
            rowKey="exportId"
            renderItem={(j) => (
              <List.Item data-testid="my-export">
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  <Space size={8} wrap>
                    <Typography.Text strong>{kind(j.kind)}</Typography.Text>
                    <Tag color={j.status === 'done' ? 'green' : j.status === 'failed' ? 'red' : j.status === 'expired' ? 'default' : 'blue'}>{t(`exports.statuses.${j.status}`)}</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('exports.createdAt')} {chinaTime(j.createdAt, true)}
                      {j.rowsTotal !== null && j.status === 'done' ? ` · ${t('exports.rowsDone', { done: j.rowsTotal.toLocaleString('en-US') })}` : ''}
                    </Typography.Text>
                  </Space>
                  <ExportStatus job={j} label={kind(j.kind)} />
                </Space>
              </List.Item>
            )}
          />
        )}
      </Drawer>
    </>
  );
}
