import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScopedBank } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { addRecipients, createCampaign } from './campaign.service.js';
import { addTestCustomers, OPERATOR } from './sms.test-support.js';

// A campaign's text with the templates' placeholders is written for each recipient as their
// outbox row is made; an unknown placeholder is refused with its place, before anything is made.

let db: Db;
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await addTestCustomers(db, [{ id: 'P1' }, { id: 'P2' }]);
  await sql(`UPDATE customers SET name = '林小红', gender = 'F' WHERE customer_id = 'P2'`);
});
afterAll(async () => {
  await db?.close();
});

describe('a campaign text with placeholders', () => {
  it('is written for each recipient: name, salutation, outlet; the same text stays one campaign', async () => {
    const text = '{姓名}{称谓}您好，{网点}本周六照常营业。';
    const { campaign } = await createCampaign(db, OPERATOR, { name: 'personal', kind: 'service', text });
    expect(await addRecipients(db, campaign, ['P1', 'P2', 'P2'])).toBe(2);
    const [p1] = await sql<{ name: string; gender: string | null; branch: string }>(
      `SELECT c.name, c.gender, b.name AS branch FROM customers c JOIN branches b ON b.branch_id = c.branch_id WHERE c.customer_id = 'P1'`,
    );
    const [p2] = await sql<{ branch: string }>(`SELECT b.name AS branch FROM customers c JOIN branches b ON b.branch_id = c.branch_id WHERE c.customer_id = 'P2'`);
    const salutation = p1?.gender === 'M' ? '先生' : p1?.gender === 'F' ? '女士' : '客户';
    expect(await sql(`SELECT customer_id, text FROM sms_outbox WHERE campaign_id = $1 ORDER BY customer_id`, [campaign.campaignId])).toEqual([
      { customer_id: 'P1', text: `${p1?.name}${salutation}您好，${p1?.branch}本周六照常营业。` },
      { customer_id: 'P2', text: `林小红女士您好，${p2?.branch}本周六照常营业。` },
    ]);
    // made again with the same text: the same campaign, nobody added twice
    const again = await createCampaign(db, OPERATOR, { name: 'personal', kind: 'service', text });
    expect(again.created).toBe(false);
    expect(await addRecipients(db, again.campaign, ['P1'])).toBe(0);
  });

  it('a marketing text gets the opt-out line after the recipient’s text', async () => {
    const { campaign } = await createCampaign(db, OPERATOR, { name: 'personal-marketing', kind: 'marketing', text: '{称谓}，新一期理财已发售。' });
    await addRecipients(db, campaign, ['P2']);
    expect(await sql(`SELECT text FROM sms_outbox WHERE campaign_id = $1`, [campaign.campaignId])).toEqual([{ text: '女士，新一期理财已发售。拒收请回复R' }]);
  });

  it('an unknown placeholder is refused with its place, and no campaign is made', async () => {
    const made = createCampaign(db, OPERATOR, { name: 'typo', kind: 'service', text: '尊敬的{姓}客户' });
    await expect(made).rejects.toBeInstanceOf(AppError);
    await expect(made).rejects.toMatchObject({ fields: { text: expect.objectContaining({ zh: '未知占位符 {姓} 在第 4 个字符' }) } });
    expect(await sql(`SELECT name FROM campaigns WHERE name = 'typo'`)).toEqual([]);
  });
});
