import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  attachAdapter,
  exportTfjs,
  faceApiModelDir,
  makeAdapter,
  quantizeInt8,
  repackage,
} from '../../src/demo/transforms/index.js';

const MODEL = 'tiny_face_detector_model';
const CARD = {
  name: 'face-detector-int8-lora',
  version: '1.0.0',
  steps: ['export', 'quantize', 'adapter-attach', 'repackage'],
};
const made: string[] = [];
afterAll(() =>
  Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))),
);

/** Run every step into a fresh folder; return it and each step's list. */
async function pipeline(): Promise<{ root: string; lists: string[][] }> {
  const root = await mkdtemp(join(tmpdir(), 'mprov-release-'));
  made.push(root);
  const at = (d: string) => join(root, d);
  const lists = [
    await exportTfjs(faceApiModelDir(), MODEL, at('export')),
    (await quantizeInt8(at('export'), at('quantize'))).files,
    await makeAdapter(at('quantize'), at('adapter'), { seed: 7 }),
    await attachAdapter(at('quantize'), at('adapter'), at('merged'), 'merged'),
    await attachAdapter(
      at('quantize'),
      at('adapter'),
      at('side'),
      'side-loaded',
    ),
    await repackage(at('merged'), at('release'), CARD),
    await repackage(at('side'), at('release-side'), CARD),
  ];
  return { root, lists };
}

/** Every file under `dir`, POSIX relative paths, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .map((p) => p.split('\\').join('/'))
    .sort();
}

describe('the pipeline', () => {
  it('writes byte-identical files when run twice', async () => {
    const first = await pipeline();
    const second = await pipeline();
    expect(second.lists).toEqual(first.lists);
    const files = await filesUnder(first.root);
    expect(await filesUnder(second.root)).toEqual(files);
    expect(files.length).toBe(22);
    for (const rel of files) {
      const a = await readFile(join(first.root, rel));
      const b = await readFile(join(second.root, rel));
      expect(a.equals(b), rel).toBe(true);
    }
  });

  it('returns exactly the files each step wrote', async () => {
    const { root, lists } = await pipeline();
    const dirs = ['export', 'quantize', 'adapter', 'merged', 'side'];
    for (const [i, d] of [...dirs, 'release', 'release-side'].entries()) {
      expect(lists[i]).toEqual(await filesUnder(join(root, d)));
    }
  });
});

describe('repackage', () => {
  it('bundles weights, config, labels and a model card', async () => {
    const { root } = await pipeline();
    const release = join(root, 'release');
    expect(await filesUnder(release)).toEqual([
      'README.md',
      'config.json',
      'labels.json',
      'model.safetensors',
    ]);
    const weights = await readFile(join(release, 'model.safetensors'));
    const merged = await readFile(join(root, 'merged', 'model.safetensors'));
    expect(weights.equals(merged)).toBe(true);
    const labels = await readFile(join(release, 'labels.json'), 'utf8');
    expect(JSON.parse(labels)).toEqual(['face']);
    const card = await readFile(join(release, 'README.md'), 'utf8');
    for (const text of [
      '# face-detector-int8-lora 1.0.0',
      '@vladmandic/face-api 1.7.15',
      'License of the weights: MIT',
      '3. adapter-attach',
      'Tokenizer: not applicable',
    ]) {
      expect(card).toContain(text);
    }
  });

  it('carries a side-loaded adapter into the bundle', async () => {
    const { root } = await pipeline();
    expect(await filesUnder(join(root, 'release-side'))).toContain(
      'adapter/adapter.safetensors',
    );
  });

  it('refuses a card with a control character', async () => {
    const { root } = await pipeline();
    const card = { ...CARD, name: 'bad\nname' };
    await expect(
      repackage(join(root, 'merged'), join(root, 'x'), card),
    ).rejects.toMatchObject({ code: 'DEMO_OPTIONS_INVALID' });
  });

  it('refuses to write into its own input folder', async () => {
    const { root } = await pipeline();
    const merged = join(root, 'merged');
    await expect(repackage(merged, merged, CARD)).rejects.toMatchObject({
      code: 'DEMO_OPTIONS_INVALID',
    });
  });
});
