import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  cliReference,
  commandsOf,
  REFERENCE_PATH,
} from '../../scripts/gen-cli-docs.js';
import { runCli } from '../../src/cli/run.js';

const ROOT = join(import.meta.dirname, '..', '..');

async function help(args: string[]): Promise<string> {
  let out = '';
  await runCli(args, { stdout: (t) => (out += t), stderr: () => undefined });
  return out;
}

describe('docs/cli-reference.md', () => {
  it('is what scripts/gen-cli-docs.ts makes of the current --help (else run npm run docs:cli)', async () => {
    const committed = await readFile(join(ROOT, REFERENCE_PATH), 'utf8');
    expect(committed).toBe(await cliReference(runCli, ROOT));
  });
});

describe('mprov --help of every command', () => {
  it('lists every command, and each command shows an example', async () => {
    const commands = commandsOf(await help(['--help'])).map(([n]) => n);
    expect(commands).toContain('verify-bundle');
    const without = [];
    for (const name of commands) {
      if (!/^examples?:$/m.test(await help([name, '--help']))) {
        without.push(name);
      }
    }
    expect(without).toEqual([]);
  });
});
