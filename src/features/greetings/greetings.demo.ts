import type { Db } from '../../platform/db.js';
import type { DemoLogin } from '../access/access.demo.js';
import { actorOf } from '../opportunities/opportunities.demo.js';
import { businessToday } from '../system/system.service.js';
import { lastEvaluatedDate } from '../tiering/tiering.sql.js';
import { prepareGreetings, type GreetingsResult } from './greetings.batch.js';
import { listGreetings } from './greetings.service.js';

// The demo bank's greetings (祝福短信): the daily batch prepares birthday greetings for the
// customers' owners, but the demo's first batch runs before anybody owns a customer (the owners
// are seeded after it, ownership.demo.ts), so it prepared none. This runs the batch's greetings
// step again for the latest business date now that there are owners — the same rules, the
// customers whose birthday falls from that date to 3 days after it — and says what waits for the
// demo branch head's approval. No data is made up: a bank with no birthday in those days has no
// birthday greeting. The step is idempotent: a second run adds nothing.

export interface DemoGreetingsSeeded {
  businessDate: string;
  /** what this run of the step prepared (nothing on a second run) */
  prepared: GreetingsResult;
  /** the drafts on the branch head's greetings page, and the customers in them */
  head: { staffId: string; name: string; drafts: number; recipients: number } | null;
}

export async function seedDemoGreetings(db: Db, logins: readonly DemoLogin[]): Promise<DemoGreetingsSeeded | null> {
  const businessDate = await db.session((s) => lastEvaluatedDate(s));
  if (!businessDate) return null;
  const prepared = await prepareGreetings(db, businessDate);
  const headLogin = logins.find((l) => l.role === 'branch_head');
  const head = headLogin ? await actorOf(db, headLogin.login) : null;
  if (!head) return { businessDate, prepared, head: null };
  // as the greetings page lists them (its today: the latest business date)
  const { items } = await listGreetings(db, head.user, { status: 'draft' }, await businessToday(db));
  const waiting = items.filter((g) => g.approvable);
  return {
    businessDate,
    prepared,
    head: { staffId: head.user.staffId ?? '', name: head.user.name, drafts: waiting.length, recipients: waiting.reduce((n, g) => n + g.recipients, 0) },
  };
}
