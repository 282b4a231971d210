/**
 * Attacks on `exportChain`'s output folder: with `force` it may replace an
 * earlier export and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportChain } from '../../src/export/export-chain.js';
import { signChain, type SignedChain } from '../core/chain.js';

let chain: SignedChain;
let dir: string;
let n = 0;

beforeAll(async () => {
  chain = await signChain();
  dir = chain.fx.dir;
});
afterAll(async () => chain.fx.close());

const exportTo = (outDir: string, force = false) =>
  exportChain({ modelPath: chain.modelDir, outDir, force });

/** A fresh earlier export, outside the model. */
async function earlierExport(): Promise<string> {
  const out = join(dir, `out${++n}`);
  await exportTo(out);
  return out;
}

describe('adversarial: export-chain output folder', () => {
  describe('with force, over an earlier export', () => {
    it.each([
      ['a file of its own in bundles/', join('bundles', 'thesis.docx')],
      ['a file of its own in manifests/', join('manifests', 'notes.txt')],
      ['a folder named policy.json', join('policy.json', 'draft.yaml')],
    ])('keeps a folder holding %s', async (_, mine) => {
      const out = await earlierExport();
      await mkdir(join(out, mine, '..'), { recursive: true });
      await writeFile(join(out, mine), 'mine');
      await expect(exportTo(out, true)).rejects.toMatchObject({
        name: 'ExportError',
        code: 'EXPORT_OUTPUT_NOT_EMPTY',
      });
      expect(await readFile(join(out, mine), 'utf8')).toBe('mine');
    });

    it('does not follow a bundles/ link to remove what it points to', async () => {
      const out = await earlierExport();
      const mine = join(dir, `mine${n}`);
      await mkdir(mine);
      await writeFile(join(mine, 'keep.txt'), 'mine');
      await rm(join(out, 'bundles'), { recursive: true });
      await symlink(mine, join(out, 'bundles'));
      await exportTo(out, true).catch(() => undefined);
      expect(await readFile(join(mine, 'keep.txt'), 'utf8')).toBe('mine');
    });

    it('refuses an index that is a pipe, without waiting for a writer', async () => {
      const out = join(dir, `pipe${++n}`);
      await mkdir(out);
      execFileSync('mkfifo', [join(out, 'provenance.json')]);
      await expect(exportTo(out, true)).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_NOT_EMPTY',
      });
    });
  });
});
