import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

/** Reads a password: asked twice without echo on a terminal, else the first line of standard input. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let all = '';
    for await (const chunk of process.stdin) all += String(chunk);
    const line = all.split(/\r?\n/)[0] ?? '';
    if (!line) throw new Error('no password on standard input (give it as the first line, e.g. `echo "$PW" | stratum user set-password S00010`)');
    return line;
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const out = rl as unknown as { _writeToOutput: (s: string) => void };
      let prompted = false;
      out._writeToOutput = (s: string) => {
        // echo the prompt, hide what is typed
        if (!prompted) {
          process.stdout.write(s);
          prompted = true;
        }
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password (8+ characters, letters and digits): ');
  const again = await ask('The same password again: ');
  if (first !== again) throw new Error('the two passwords differ; nothing was changed');
  return first;
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('sign-in accounts: staff (login = staff number from staff.csv) and administrators');

  user
    .command('create-admin')
    .description('create an administrator (manages accounts; sees no customer data); the password is asked, or read from standard input')
    .argument('<login>', 'the administrator login, e.g. admin')
    .option('--name <name>', 'name shown in the web app', 'Administrator')
    .action(async (login: string, opts: { name: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const password = await readPassword();
      const { createAdmin } = await import('../features/access/access.service.js');
      await withDb(config, (db) => createAdmin(db, login, opts.name, password));
      console.log(`Administrator '${login}' created. Sign in at the web app with this login.`);
    });

  user
    .command('set-password')
    .description("set or reset a password (a staff member's login is their staff number); also unlocks the account and ends its sessions")
    .argument('<login>', 'staff number or administrator login')
    .action(async (login: string, _opts: object, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const password = await readPassword();
      const { setPassword } = await import('../features/access/access.service.js');
      const who = await withDb(config, (db) => setPassword(db, login, password));
      console.log(`Password set for ${who.login} (${who.name}).`);
    });

  user
    .command('unlock')
    .description('unlock an account locked after five wrong passwords')
    .argument('<login>', 'staff number or administrator login')
    .action(async (login: string, _opts: object, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { unlock } = await import('../features/access/access.service.js');
      await withDb(config, (db) => unlock(db, login));
      console.log(`${login} is unlocked.`);
    });
}
