import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/** The exit code of an unsuitable product: 0 suits, 3 does not, 1 an error (no such customer or product). */
export const UNSUITABLE_EXIT = 3;

export function registerSuitability(program: Command): void {
  const suitability = program.command('suitability').description("whether a product suits a customer (POLICIES.md \"Suitability\": the product's risk against the customer's assessment; 65 and over)");
  suitability
    .command('check')
    .description(`print "suitable" (exit 0) or "unsuitable: <reason>" (exit ${UNSUITABLE_EXIT}); R4/R5 for a customer of 65 or over prints "suitable: only with a second staff member's confirmation …" (exit 0)`)
    .requiredOption('--customer <id>', 'the customer number')
    .requiredOption('--product <code>', 'the product code of products.csv')
    .option('--date <date>', 'the day of the check (default: the latest loaded business date)')
    .action(async (opts: { customer: string; product: string; date?: string }, cmd: Command) => {
      if (opts.date !== undefined && !isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { checkSuitability } = await import('../features/selling/suitability.service.js');
      const check = await withDb(config, (db) => checkSuitability(db, opts.customer, opts.product, opts.date));
      if (!check.suitable) {
        console.log(`unsuitable: ${check.reason.en}`);
        process.exitCode = UNSUITABLE_EXIT;
        return;
      }
      console.log(check.needsConfirmation ? `suitable: only with a second staff member's confirmation (${check.reason.en})` : 'suitable');
    });
}
