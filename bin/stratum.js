#!/usr/bin/env node
// The `stratum` command. Stratum runs its TypeScript sources directly (tsx), so there is no build
// step between a change and the command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
