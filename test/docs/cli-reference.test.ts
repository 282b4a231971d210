import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { cliReference, REFERENCE_PATH } from '../../scripts/gen-cli-docs.js';
import { runCli } from '../../src/cli/run.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('docs/cli-reference.md', () => {
  it('is what scripts/gen-cli-docs.ts makes of the current --help (else run npm run docs:cli)', async () => {
    const committed = await readFile(join(ROOT, REFERENCE_PATH), 'utf8');
    expect(committed).toBe(await cliReference(runCli, ROOT));
  });
});
