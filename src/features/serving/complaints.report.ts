import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import type { SignedInUser } from '../access/access.service.js';
import { chinaTime } from './complaints.service.js';
import type { ReportRow } from './complaints.contract.js';

// Complaints' statistics (issue 22 §1): by branch, month of receipt (China time) and root cause:
// received, resolved, resolved within the limit, mean hours to the first response and to the
// resolution; and the CSV export of the CLI.

const chinaDayNow = () => chinaTime(new Date()).slice(0, 10);

function period(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const t = to ?? chinaDayNow();
  const f = from ?? `${t.slice(0, 4)}-01-01`;
  if (f > t) throw new AppError('bad_request', text('结束日期不能早于开始日期。', 'The end of the period cannot be before its start.'), { to: text(`不能早于 ${f}`, `must not be before ${f}`) });
  return { from: f, to: t };
}

const SUMS = `count(*)::int AS received,
  count(*) FILTER (WHERE k.resolved_at IS NOT NULL)::int AS resolved,
  count(*) FILTER (WHERE k.resolved_at IS NOT NULL AND k.resolved_at <= k.resolution_due)::int AS within,
  avg(extract(epoch FROM k.first_response_at - k.received_at) / 3600) AS mean_response,
  avg(extract(epoch FROM k.resolved_at - k.received_at) / 3600) FILTER (WHERE k.resolved_at IS NOT NULL) AS mean_resolution`;

interface Sums { received: number; resolved: number; within: number; mean_response: string | number | null; mean_resolution: string | number | null }
const hours = (v: string | number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
const figures = (r: Sums) => ({
  received: r.received,
  resolved: r.resolved,
  resolvedWithinLimit: r.within,
  shareWithinLimit: r.resolved ? Math.round((r.within / r.resolved) * 1000) / 1000 : null,
  meanFirstResponseHours: hours(r.mean_response),
  meanResolutionHours: hours(r.mean_resolution),
});

/** The report of complaints received from..to (China days) in the user's branches. */
export async function complaintsReport(db: Db, user: SignedInUser, f: { from?: string | undefined; to?: string | undefined }) {
  const { from, to } = period(f.from, f.to);
  const params: unknown[] = [from, to];
  let where = `(k.received_at AT TIME ZONE 'UTC' + interval '8 hours')::date BETWEEN $1::date AND $2::date`;
  if (user.scope) {
    params.push([...user.scope]);
    where += ` AND k.branch_id = ANY($${params.length}::text[])`;
  }
  return db.session(async (s) => {
    const rows = await s.query<Sums & { branch_id: string; branch_name: string | null; month: string; root_cause: string | null }>(
      `SELECT k.branch_id, min(b.name) AS branch_name, to_char(k.received_at AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM') AS month, k.root_cause, ${SUMS}
         FROM complaints k LEFT JOIN branches b ON b.branch_id = k.branch_id
        WHERE ${where}
        GROUP BY k.branch_id, month, k.root_cause
        ORDER BY k.branch_id, month, k.root_cause NULLS LAST`,
      params,
    );
    const total = await s.query<Sums>(`SELECT ${SUMS} FROM complaints k WHERE ${where}`, params);
    const out: ReportRow[] = rows.rows.map((r) => ({ branch: { id: r.branch_id, name: r.branch_name ?? r.branch_id }, month: r.month, rootCause: r.root_cause, ...figures(r) }));
    const t = total.rows[0] ?? { received: 0, resolved: 0, within: 0, mean_response: null, mean_resolution: null };
    return { from, to, rows: out, totals: figures(t) };
  });
}

export const COMPLAINTS_CSV_COLUMNS = ['complaint_id', 'customer_id', 'channel', 'received_at', 'band', 'first_response_due', 'resolution_due', 'first_response_at', 'resolved_at', 'status', 'root_cause'] as const;
export type ComplaintCsvRow = Record<(typeof COMPLAINTS_CSV_COLUMNS)[number], string>;

/** Every complaint received from..to (China days; either may be null), oldest first, times in China time. */
export async function exportComplaints(db: Db, from: string | null, to: string | null): Promise<ComplaintCsvRow[]> {
  const r = await db.session((s) =>
    s.query<{ complaint_id: string; customer_id: string; channel: string; received_at: Date; band: string | null; first_response_due: Date; resolution_due: Date; first_response_at: Date | null; resolved_at: Date | null; status: string; root_cause: string | null }>(
      `SELECT complaint_id, customer_id, channel, received_at, band, first_response_due, resolution_due, first_response_at, resolved_at, status, root_cause
         FROM complaints k
        WHERE ($1::date IS NULL OR (k.received_at AT TIME ZONE 'UTC' + interval '8 hours')::date >= $1::date)
          AND ($2::date IS NULL OR (k.received_at AT TIME ZONE 'UTC' + interval '8 hours')::date <= $2::date)
        ORDER BY received_at, complaint_id`,
      [from, to],
    ),
  );
  return r.rows.map((x) => ({
    complaint_id: x.complaint_id,
    customer_id: x.customer_id,
    channel: x.channel,
    received_at: chinaTime(x.received_at),
    band: x.band ?? '',
    first_response_due: chinaTime(x.first_response_due),
    resolution_due: chinaTime(x.resolution_due),
    first_response_at: chinaTime(x.first_response_at) ?? '',
    resolved_at: chinaTime(x.resolved_at) ?? '',
    status: x.status,
    root_cause: x.root_cause ?? '',
  }));
}
