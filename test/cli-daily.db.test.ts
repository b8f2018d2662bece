import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAccount, buildFullDay, feedDir, writeFeed } from './feed-builder.js';
import { useStratumCli } from './cli-run.js';

// `stratum daily` as a job system runs it: no terminal, so one JSON line per event on standard
// output, and the exit code says what happened (0 done, 1 failed, 3 nothing to do).

const stratum = useStratumCli({ env: { LOG_LEVEL: 'silent' } });

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; date?: string; outcome?: string; problems?: { file: string; line?: number }[] });

describe('stratum daily', () => {
  it('exits 0 after loading and batching, 3 when there is nothing to do, 1 when a date is refused; JSON lines without a terminal', async () => {
    const inbox = feedDir();
    writeFeed(path.join(inbox, 'd1'), { business_date: '2026-11-20', mode: 'full' }, buildFullDay());
    const first = await stratum('daily', '--inbox', inbox);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = events(first.stdout);
    // progress lines between, at most one every 2 seconds and the last of each phase
    expect(lines.map((l) => l.event).filter((e) => !e.endsWith('-progress'))).toEqual(['plan', 'load', 'loaded', 'batch', 'batched', 'end']);
    expect(lines.some((l) => l.event === 'load-progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'end', outcome: 'done' });

    const again = await stratum('daily', '--inbox', inbox);
    expect(again.code).toBe(3);
    expect(events(again.stdout).at(-1)).toMatchObject({ event: 'end', outcome: 'nothing' });

    writeFeed(path.join(inbox, 'd2'), { business_date: '2026-11-21', mode: 'delta' }, { accounts: [buildAccount({ balance: 'about 5000' })] });
    const bad = await stratum('daily', '--inbox', inbox, '--retries', '0');
    expect(bad.code).toBe(1);
    const refused = events(bad.stdout).find((l) => l.event === 'refused');
    expect(refused).toMatchObject({ date: '2026-11-21' });
    expect(refused?.problems?.[0]).toMatchObject({ file: 'accounts.csv', line: 2 });
  }, 240_000);

  it('says what is wrong with its options', async () => {
    const none = await stratum('daily');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--inbox DIR (or STRATUM_INBOX)');
    const retries = await stratum('daily', '--inbox', feedDir(), '--retries', 'many');
    expect(retries.stderr).toContain("--retries must be a whole number of 0 or more, not 'many'");
    const at = await stratum('serve', '--daily-at', '25:00', '--inbox', feedDir());
    expect(at.stderr).toContain("--daily-at must be a time of day like 06:00 (China time), not '25:00'");
  });
});
