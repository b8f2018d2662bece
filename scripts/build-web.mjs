#!/usr/bin/env node
// Builds the web app into dist/web when its sources changed since the last build (runs on
// `npm install` through "prepare", and before the browser tests). `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INPUTS = ['src/web', 'src/features/access/access.contract.ts', 'src/features/access/access.permissions.ts', 'src/features/customers/customers.contract.ts', 'src/features/tiering/tiering.contract.ts', 'vite.config.ts', 'package-lock.json'];
const MARKER = 'dist/web/.source-hash';

function files(p) {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).sort().flatMap((f) => files(path.join(p, f)));
}
const hash = createHash('sha256');
for (const f of INPUTS.flatMap(files)) hash.update(f).update(readFileSync(f));
const digest = hash.digest('hex');

if (!process.argv.includes('--force') && existsSync('dist/web/index.html') && existsSync(MARKER) && readFileSync(MARKER, 'utf8') === digest) {
  console.log('web app: dist/web is up to date');
  process.exit(0);
}
console.log('web app: building dist/web …');
const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('web app: the build failed (see above)');
  process.exit(r.status ?? 1);
}
writeFileSync(MARKER, digest);
console.log('web app: built into dist/web');
