import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, newPageWith, screenshot, settle, useStratum } from './harness.js';

// Issue 18 in the browser: "did last night's run work?". The runs are written straight into
// operation_runs (as the loads and batches write them). A branch head opens the Runs page and
// sees the refused load in red, opened on its problems by file and line, and the failed batch
// with its error; the header of every page says "as of last night's run" once the last
// successful batch is more than 26 hours old, with when it finished in its tooltip.

const stratum = useStratum();

const HOUR = 3600_000;

interface Row {
  id: string;
  kind: 'load' | 'batch';
  outcome: 'done' | 'unchanged' | 'refused' | 'failed';
  hoursAgo: number;
  seconds: number;
  date: string | null;
  detail?: unknown[];
  problems?: unknown[];
  moreProblems?: number;
  message?: string;
  attempt?: number;
}

async function setRuns(...rows: Row[]): Promise<void> {
  await stratum.run.db.session(async (s) => {
    await s.query('DELETE FROM operation_runs');
    for (const r of rows) {
      const started = Date.now() - r.hoursAgo * HOUR;
      await s.query(
        `INSERT INTO operation_runs (run_id, kind, business_date, folder, started_by, attempt, started_at, finished_at, outcome, rows, detail, problems, more_problems, message)
         VALUES ($1, $2, $3, $4, 'daily', $5, $6, $7, $8, 400, $9::jsonb, $10::jsonb, $11, $12)`,
        [
          r.id, r.kind, r.date, r.kind === 'load' ? `/srv/stratum/feed/${r.date ?? 'unknown'}` : null, r.attempt ?? 1,
          new Date(started).toISOString(), new Date(started + r.seconds * 1000).toISOString(), r.outcome,
          JSON.stringify(r.detail ?? []), JSON.stringify(r.problems ?? []), r.moreProblems ?? 0, r.message ?? null,
        ],
      );
    }
  });
}

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);

const STEPS = [
  { step: 'tiering', seconds: 3.2, summary: '400 customers, 9 models and tag groups, 12 tiers changed' },
  { step: 'ownership', seconds: 0.4, summary: '3 owner proposals for the branch heads' },
  { step: 'events', seconds: 0.9, summary: '41 events' },
  { step: 'worklist', seconds: 1.1, summary: '60 reminders made or refreshed' },
];

async function noSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
  expect(scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

describe('the Runs page and the header', () => {
  it('a branch head sees a refused load and a failed batch in red with their problems, and the header says the data is as of the last run', async () => {
    const { businessDate } = stratum.run;
    const next = dayAfter(businessDate);
    const head = stratum.loginOf('branch_head');

    // last night's batch succeeded: the header shows the business date, nothing late
    await setRuns(
      { id: 'load-ok', kind: 'load', outcome: 'done', hoursAgo: 3, seconds: 40, date: businessDate, detail: [{ file: 'customers.csv', rows: 400, written: 12, gone: 0 }] },
      { id: 'batch-ok', kind: 'batch', outcome: 'done', hoursAgo: 2.9, seconds: 6, date: businessDate, detail: STEPS },
    );
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/runs', head.login);
    await page.getByTestId('runs-page').waitFor();
    await page.getByTestId('business-date').waitFor();
    await settle(page);
    expect(await page.getByTestId('business-date').textContent()).toContain(`数据日期 ${businessDate}`);
    expect(await page.getByTestId('run-late').count()).toBe(0);

    // then a night that went wrong: the next date's load refused, the batch of the last date failed
    // on its retry, and the last successful batch two days old
    await setRuns(
      { id: 'batch-old', kind: 'batch', outcome: 'done', hoursAgo: 50, seconds: 6, date: businessDate, detail: STEPS },
      {
        id: 'load-refused', kind: 'load', outcome: 'refused', hoursAgo: 4, seconds: 2.5, date: next, moreProblems: 12,
        problems: [
          { file: 'customers.csv', line: 17, column: 'id_number', message: 'value in column id_number is not an 18-character resident ID number' },
          { file: 'accounts.csv', line: 233, column: 'customer_id', message: "customer 'C0999' is not in customers.csv" },
        ],
      },
      { id: 'batch-failed', kind: 'batch', outcome: 'failed', hoursAgo: 3, seconds: 75, date: businessDate, attempt: 2, message: 'could not extend file: No space left on device', problems: [{ message: 'could not extend file: No space left on device' }], detail: [STEPS[0]] },
    );
    await page.reload();
    await page.getByTestId('runs-page').waitFor();
    await page.getByTestId('run-late').waitFor();
    await settle(page);

    const rows = page.getByTestId('run-row');
    expect(await rows.count()).toBe(3);
    // newest first, each in red
    // (a string: this project's Node types have no DOM)
    const shown = await page.evaluate(`[...document.querySelectorAll('tr[data-testid="run-row"]')].map((tr) => [tr.getAttribute('data-outcome'), getComputedStyle(tr).backgroundColor])`);
    expect(shown).toEqual([
      ['failed', 'rgb(255, 241, 240)'],
      ['refused', 'rgb(255, 241, 240)'],
      ['done', 'rgba(0, 0, 0, 0)'],
    ]);
    const refused = rows.filter({ hasText: next });
    expect(await refused.textContent()).toContain('已拒绝');
    // opened at once on its problems, by file and line
    const problems = page.getByTestId('run-detail-load-refused').getByTestId('run-problem');
    expect(await problems.count()).toBe(2);
    const first = (await problems.first().textContent()) ?? '';
    expect(first).toContain('customers.csv');
    expect(first).toContain('17');
    expect(first).toContain('id_number');
    expect(await problems.nth(1).textContent()).toContain('accounts.csv233customer_id');
    expect(await page.getByTestId('run-detail-load-refused').getByTestId('run-more-problems').textContent()).toContain('另有 12 个问题未列出');
    // the failed batch: its error and the step it got through
    const failed = page.getByTestId('run-detail-batch-failed');
    expect(await failed.getByTestId('run-message').textContent()).toContain('No space left on device');
    expect(await failed.getByTestId('run-steps').textContent()).toContain('客户分层 (tiering)');
    expect(await rows.first().textContent()).toContain('1 分 15 秒');

    // the header on every page: "as of last night's run", and when the last success finished
    expect(await page.getByTestId('business-date').textContent()).toContain('截至上次运行');
    await page.getByTestId('run-late').hover();
    const tip = page.getByTestId('run-late-tip');
    await tip.waitFor();
    expect(await tip.textContent()).toContain('失败');
    expect(await tip.textContent()).toContain(`最近一次成功运行（${businessDate} 的日终批处理）完成于`);
    await screenshot(page, 'runs-01-branch-head-zh');

    // the filters: refused loads only
    await page.getByTestId('runs-outcome').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '已拒绝' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-outcome')).toBe('refused');

    // old, not failed: only the last successful batch two days ago, and an unchanged load since
    await setRuns(
      { id: 'batch-old', kind: 'batch', outcome: 'done', hoursAgo: 50, seconds: 6, date: businessDate, detail: STEPS },
      { id: 'load-same', kind: 'load', outcome: 'unchanged', hoursAgo: 1, seconds: 1, date: businessDate },
    );
    const en = await newPage(stratum.run, 'en-US');
    await stratum.signIn(en, '/my-day', head.login);
    await en.getByTestId('run-late').waitFor();
    await settle(en);
    expect(await en.getByTestId('business-date').textContent()).toContain(`Data as of ${businessDate}`);
    expect(await en.getByTestId('run-late').textContent()).toContain("as of last night's run");
    await en.getByTestId('run-late').hover();
    await en.getByTestId('run-late-tip').waitFor();
    expect(await en.getByTestId('run-late-tip').textContent()).toContain('more than 26 hours');
    expect(await en.getByTestId('run-late-tip').textContent()).toContain(`The last successful run (the daily batch of ${businessDate}) finished at`);
    await screenshot(en, 'runs-02-header-late-en');
    await en.goto(`${stratum.run.url}/runs`);
    await en.getByTestId('run-row').first().waitFor();
    await settle(en);
    expect(await en.getByTestId('run-row').first().textContent()).toContain('Unchanged');
    await screenshot(en, 'runs-03-page-en');
    await en.context().close();
    await page.context().close();
  });

  it('fits a tablet, and is not in the menu of a customer manager', async () => {
    const head = stratum.loginOf('branch_head');
    const tablet = await newPageWith(stratum.run, 'zh-CN', { width: 768, height: 1024, isMobile: true, hasTouch: true });
    await stratum.signIn(tablet, '/runs', head.login);
    await tablet.getByTestId('run-row').first().waitFor();
    await settle(tablet);
    await noSidewaysScroll(tablet, 'runs at 768');
    expect(await tablet.getByTestId('run-late').isVisible()).toBe(true);
    await screenshot(tablet, 'runs-04-tablet-zh');
    await tablet.context().close();

    const manager = stratum.loginOf('customer_manager');
    const page = await newPage(stratum.run, 'zh-CN');
    await stratum.signIn(page, '/runs', manager.login);
    await page.getByText('无权访问').waitFor();
    expect(await page.getByRole('link', { name: '运行记录' }).count()).toBe(0);
    // the header's lateness is for everyone signed in
    expect(await page.getByTestId('run-late').isVisible()).toBe(true);
    await page.context().close();
  });
});
