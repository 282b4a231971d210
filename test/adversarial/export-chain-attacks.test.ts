/**
 * Attacks on `exportChain`'s output folder: with `force` it may replace an
 * earlier export and nothing else, and it never writes into the model.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import {
  mkdir,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';

import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
} from 'vitest';

import { exportChain } from '../../src/export/export-chain.js';
import { signChain, type SignedChain } from '../core/chain.js';

/** Runs once before the next rename of `from`, then lets it through. */
let beforeRename: { from: string; run: () => Promise<void> } | undefined;

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      const hook = beforeRename;
      if (hook !== undefined && hook.from === from) {
        beforeRename = undefined;
        await hook.run();
      }
      return real.rename(from, to);
    },
  };
});

let chain: SignedChain;
let dir: string;
let n = 0;

beforeAll(async () => {
  chain = await signChain();
  dir = chain.fx.dir;
});
afterEach(() => {
  beforeRename = undefined;
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

    it('keeps a file written into it after the check', async () => {
      const out = await earlierExport();
      // Another process adds a file between the last check and the swap.
      beforeRename = {
        from: out,
        run: () => writeFile(join(out, 'index.html'), 'mine'),
      };
      await expect(exportTo(out, true)).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_NOT_EMPTY',
      });
      expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('mine');
      expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
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

  describe('when the path reaches the model through a link and ..', () => {
    // `resolve` folds `link/..` to the folder holding the link; the file
    // system goes to the folder holding the link's target, in the model.
    it.each([
      ['an empty folder in it', 'empty'],
      ['a folder yet to be made in it', 'new'],
    ])('refuses %s and writes nothing there', async (_, name) => {
      const model = chain.modelDir;
      await mkdir(join(model, 'sub'), { recursive: true });
      if (name === 'empty') await mkdir(join(model, 'empty'));
      const link = join(dir, `into-model${++n}`);
      await symlink(join(model, 'sub'), link);
      const before = (await readdir(model)).sort();
      await expect(exportTo(`${link}/../${name}`, true)).rejects.toMatchObject({
        code: 'EXPORT_OUTPUT_UNUSABLE',
      });
      expect((await readdir(model)).sort()).toEqual(before);
      if (name === 'empty')
        expect(await readdir(join(model, 'empty'))).toEqual([]);
    });
  });
});
