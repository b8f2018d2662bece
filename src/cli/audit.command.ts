import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';
import { count } from './format.js';

const when = (d: Date | null) => (d ? new Date(d).toISOString() : 'unknown time');

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit trail: check its hash chain, prune entries older than six months');

  audit
    .command('verify')
    .description('check that the audit chain is intact: every entry hashes to its stored hash and links to the one before; says where it first breaks')
    .action(async (_opts: object, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { verifyAuditChain } = await import('../features/audit/audit.chain.js');
      await withDb(config, async (db) => {
        const r = await verifyAuditChain(db);
        const range = r.entries ? `entries ${r.firstEntryId}–${r.lastEntryId}` : 'no entries';
        const anchor = r.anchor ? `, after pruned entry ${r.anchor.entryId} (${when(r.anchor.at)})` : '';
        if (r.intact) {
          console.log(`The audit chain is intact: ${count(r.entries)} entries (${range}${anchor}).`);
          console.log(`Head hash: ${r.headHash || '(empty chain)'}`);
          return;
        }
        const b = r.firstBreak;
        const why = {
          changed: 'its content no longer matches its hash (the entry was changed)',
          link: 'it does not link to the hash of the entry before it (an entry before it was changed or replaced)',
          missing: 'entries before it are missing (deleted)',
          tail: 'the last entries of the chain are missing (deleted)',
        }[b?.problem ?? 'changed'];
        console.log(`The audit chain is BROKEN at entry ${b?.entryId} (${when(b?.at ?? null)}): ${why}.`);
        console.log(`Checked ${count(r.entries)} entries (${range}${anchor}).`);
        process.exitCode = 2;
      });
    });

  audit
    .command('prune')
    .description('remove audit entries written before a date (China time); entries younger than six months are always kept, and the remaining chain stays verifiable')
    .requiredOption('--before <date>', 'remove entries before this date (YYYY-MM-DD), at least six months ago')
    .action(async (opts: { before: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { pruneAudit } = await import('../features/audit/audit.chain.js');
      await withDb(config, async (db) => {
        const r = await pruneAudit(db, opts.before, null);
        console.log(
          r.removed
            ? `Removed ${count(r.removed)} audit entries written before ${opts.before}; the chain now starts after entry ${r.anchorId}.`
            : `No audit entries were written before ${opts.before}; nothing removed.`,
        );
      });
    });
}
