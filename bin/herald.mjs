#!/usr/bin/env node
/**
 * Herald's command-line entry point. Herald ships as TypeScript run through tsx (a production
 * dependency), so there is no build step: register the loader, then hand over to src/cli/main.ts.
 * Paths are resolved from this file, so `herald` works from any working directory.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a one-shot command must not linger on a pool's idle timer. Output to pipes and
// files is written synchronously on Linux and macOS, so nothing printed is lost.
process.exit(code);
