import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import { actorOf } from '../opportunities/opportunities.demo.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import type { Channel, ComplaintStatus, RootCause } from './complaints.contract.js';
import { addNote, closeComplaint, createComplaint, escalate, resolveComplaint, type CreateComplaint } from './complaints.service.js';
import { limitHours } from './complaints.sql.js';

// The demo bank's complaints (投诉): five, on customers of the demo outlet (the demo manager's own
// and others of the outlet) and one walk-in non-customer, across channels and bands, recorded by
// the lobby and counter logins and the demo manager, each within their scope:
// - one open, past its first-response limit: escalated to the branch head (the red list);
// - one responded, in progress;
// - one resolved with the customer satisfied and closed with a root cause;
// - one answered unsatisfied and reopened;
// - a walk-in's, resolved and closed the same afternoon.
// Complaints run on the real clock (their limits are calendar hours from receipt, and the red list
// is computed at the time it is read), so they are placed in the hours and days before the close
// of the last working afternoon before the moment of seeding: every step goes through the service as its staff member, with the service's own
// `now` set to when it happened (the notes and times are then those of a real history), all steps
// of all complaints in the order of their times. Each time is a share of its band's limits, so the
// complaint is where it should be whatever band the customer has. Seeded once: when a demo login
// recorded a complaint already, nothing is added.

export interface DemoComplaintsSeeded {
  /** per complaint: its id, channel, band, status and escalation after seeding */
  complaints: { complaintId: string; channel: Channel; band: string | null; status: ComplaintStatus; escalation: string; recordedBy: string }[];
  /** the branch head whose red list shows the escalated ones, and how many */
  head: { staffId: string; name: string; escalated: number } | null;
}

const H = 3600_000;

interface Step {
  at: number;
  run: () => Promise<void>;
}

export async function seedDemoComplaints(db: Db, logins: readonly DemoLogin[], now = new Date()): Promise<DemoComplaintsSeeded | null> {
  const by = (role: DemoLogin['role']) => logins.find((l) => l.role === role);
  const manager = by('customer_manager');
  const headLogin = by('branch_head');
  if (!manager) return null;
  const seen = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM complaints WHERE recorded_by = ANY($1::text[])`, [logins.map((l) => l.login)]));
  if ((seen.rows[0]?.n ?? 0) > 0) return null;
  const me = await actorOf(db, manager.login);
  if (!me) return null;
  const outlet = me.user.branchId ?? '';
  // the lobby and counter staff of the demo (the manager where a role has no login)
  const actor = async (role: DemoLogin['role']): Promise<WorkActor> => {
    const l = by(role);
    return (l && (await actorOf(db, l.login))) || me;
  };
  const lobbyManager = await actor('lobby_manager');
  const lobbyAssistant = await actor('lobby_assistant');
  const teller = await actor('counter_teller');

  const used: string[] = [];
  /** A customer of the outlet (the demo manager's own, or one they do not own), of the first band of `bands` the outlet has one of. */
  const customer = async (own: boolean, bands: string[]): Promise<{ customerId: string; band: string | null } | null> => {
    for (const band of bands) {
      const r = await db.session((s) =>
        s.query<{ customer_id: string }>(
          `SELECT c.customer_id FROM customers c JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = 'aum_band' AND t.tier = $2
            WHERE c.branch_id = $1 AND c.status = 'active' AND NOT (c.customer_id = ANY($4::text[]))
              AND ${own ? '' : 'NOT '}EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.staff_id = $3 AND o.kind = 'primary')
            ORDER BY c.customer_id LIMIT 1`,
          [outlet, band, manager.login, used],
        ),
      );
      const id = r.rows[0]?.customer_id;
      if (id) {
        used.push(id);
        return { customerId: id, band };
      }
    }
    return null;
  };

  // the close of the last working afternoon (17:00 China time) at or before now: the complaints met at
  // the counter are then met in opening hours, whatever the time the demo is run
  const close = new Date(now);
  close.setUTCHours(9, 0, 0, 0);
  if (close.getTime() > now.getTime()) close.setUTCDate(close.getUTCDate() - 1);
  const T = close.getTime();
  /** the first response: half the band's limit, at most 2 hours after receipt */
  const answer = (l: { response: number }) => Math.min(0.5 * l.response, 2) * H;
  const steps: Step[] = [];
  const made: { complaintId: string; channel: Channel; recordedBy: string }[] = [];
  /** One complaint: recorded at `received` (ms), then its steps at their times. */
  const plan = (who: WorkActor, body: CreateComplaint, received: number, then: { at: number; run: (id: string) => Promise<unknown> }[]) => {
    let id = '';
    steps.push({
      at: received,
      run: async () => {
        id = (await createComplaint(db, who, body, new Date(received))).complaintId;
        made.push({ complaintId: id, channel: body.channel, recordedBy: who.user.staffId ?? '' });
      },
    });
    for (const t of then) steps.push({ at: t.at, run: async () => void (await t.run(id)) });
  };
  const all = ['band_5', 'band_4', 'band_3', 'band_2', 'band_1'];

  // 1. a wealthy customer at the counter, nobody has answered: past the first response limit (the red list)
  const rich = await customer(false, all);
  if (rich) {
    const l = limitHours(rich.band);
    plan(lobbyManager, { channel: 'counter', customerId: rich.customerId, category: 'waiting', description: '客户预约大额取款后到网点仍等候超过四十分钟，认为贵宾服务未落实，要求网点给出说明。' }, T - (l.response + 3) * H, []);
  }
  // 2. by phone, answered within the limit, in progress
  const phoned = await customer(false, ['band_2', 'band_1', 'band_3', 'band_4', 'band_5']);
  if (phoned) {
    const l = limitHours(phoned.band);
    const received = T - 0.15 * l.resolution * H;
    plan(lobbyAssistant, { channel: 'phone', customerId: phoned.customerId, category: 'fees', description: '客户来电反映借记卡被扣收小额账户管理费，称开户时未被告知。' }, received, [
      { at: received + answer(l), run: (id) => addNote(db, lobbyAssistant, id, { kind: 'response', body: '已致电客户致歉，说明收费依据，承诺核实开户时的告知记录。' }, new Date(received + answer(l))) },
      { at: T - 2 * H, run: (id) => addNote(db, lobbyAssistant, id, { kind: 'progress', body: '已调阅开户签约资料，正在与运营主管核对是否符合减免条件。' }, new Date(T - 2 * H)) },
    ]);
  }
  // 3. the manager's customer online: resolved, satisfied, closed with its root cause
  const online = await customer(true, ['band_3', 'band_4', 'band_2', 'band_5', 'band_1']);
  if (online) {
    const l = limitHours(online.band);
    const received = T - (0.6 * l.resolution + 24) * H;
    const resolved = received + 0.6 * l.resolution * H;
    plan(me, { channel: 'online', customerId: online.customerId, category: 'product', description: '客户在手机银行留言：理财产品赎回资金到账时间比页面说明晚了一天。' }, received, [
      { at: received + answer(l), run: (id) => addNote(db, me, id, { kind: 'response', body: '已回电客户，说明到账时间受节假日影响，正在核实页面说明。' }, new Date(received + answer(l))) },
      { at: resolved, run: (id) => resolveComplaint(db, me, id, { body: '经核实页面未提示节假日顺延，已反馈总行更新说明，并向客户当面解释。', answer: 'satisfied' }, new Date(resolved)) },
      { at: resolved + H, run: (id) => closeComplaint(db, me, id, { rootCause: 'product' satisfies RootCause, body: '产品说明未提示节假日顺延' }, new Date(resolved + H)) },
    ]);
  }
  // 4. the manager's customer by letter: the resolution was not accepted, reopened
  const letter = await customer(true, ['band_2', 'band_1', 'band_3', 'band_4', 'band_5']);
  if (letter) {
    const l = limitHours(letter.band);
    const received = T - (0.4 * l.resolution + 6) * H;
    const answered = received + 0.4 * l.resolution * H;
    plan(me, { channel: 'letter', customerId: letter.customerId, category: 'service', description: '客户来信反映办理定期存单提前支取时，柜面未说明利息损失。' }, received, [
      { at: received + answer(l), run: (id) => addNote(db, me, id, { kind: 'response', body: '已电话联系客户，约定到网点面谈。' }, new Date(received + answer(l))) },
      { at: answered, run: (id) => resolveComplaint(db, me, id, { body: '面谈中解释提前支取按活期计息的规定，并出示签字的业务凭证。', answer: 'unsatisfied' }, new Date(answered)) },
    ]);
  }
  // 5. a walk-in who is not a customer, at the counter: resolved and closed the same afternoon
  {
    const received = T - 4 * H;
    plan(teller, { channel: 'counter', personName: '王建国', personPhone: '13706512248', category: 'waiting', description: '非本行客户到网点办理跨行汇款，取号后等候时间过长。' }, received, [
      { at: received + 0.5 * H, run: (id) => addNote(db, teller, id, { kind: 'response', body: '当场致歉，安排大堂经理引导至自助设备办理。' }, new Date(received + 0.5 * H)) },
      { at: received + 2 * H, run: (id) => resolveComplaint(db, teller, id, { body: '已协助客户在自助设备完成汇款，客户表示认可。', answer: 'satisfied' }, new Date(received + 2 * H)) },
      { at: received + 2.5 * H, run: (id) => closeComplaint(db, teller, id, { rootCause: 'waiting_time' }, new Date(received + 2.5 * H)) },
    ]);
  }

  // every step in the order of its time: a complaint's limits are then passed (or not) as they were
  for (const step of steps.sort((a, b) => a.at - b.at)) await step.run();
  // and now: the one nobody answered goes to the branch head's red list
  await escalate(db, now);

  const rows = await db.session((s) =>
    s.query<{ complaint_id: string; band: string | null; status: ComplaintStatus; escalation: string }>(`SELECT complaint_id, band, status, escalation FROM complaints WHERE complaint_id = ANY($1::text[])`, [made.map((m) => m.complaintId)]),
  );
  const state = new Map(rows.rows.map((r) => [r.complaint_id, r]));
  const complaints = made.map((m) => {
    const r = state.get(m.complaintId);
    return { ...m, band: r?.band ?? null, status: r?.status ?? 'open', escalation: r?.escalation ?? 'none' };
  });
  const head = headLogin ? await actorOf(db, headLogin.login) : null;
  return {
    complaints,
    head: head ? { staffId: head.user.staffId ?? '', name: head.user.name, escalated: complaints.filter((c) => c.escalation !== 'none' && c.status !== 'closed').length } : null,
  };
}
