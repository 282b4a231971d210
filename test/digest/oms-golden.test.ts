import { readFile, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { digestModel, rootDigest } from '../../src/digest/index.js';
import { useTempDirs } from './helpers.js';

const BASE = join(
  import.meta.dirname,
  '../../../shared/testdata/model-signing',
);
const GOLDEN = join(BASE, 'golden/_signing/testdata/signing/TestPayload');
const FIXTURES = join(BASE, 'fixture-models');

interface Golden {
  subject: { name: string; digest: { sha256: string } }[];
  predicate: {
    serialization: { method: string };
    resources: { name: string; digest: string; algorithm: string }[];
  };
}

async function loadGolden(model: string): Promise<Golden> {
  return JSON.parse(await readFile(join(GOLDEN, model), 'utf8')) as Golden;
}

/** Goldens not ending in _shard/_small_shards use files serialization. */
const filesGoldens = (await readdir(GOLDEN)).filter(
  (n) => !/_shard$|_small_shards$/.test(n),
);

/** Fixtures whose golden is checked by something other than equality. */
const SPECIAL = new Set(['empty_model_folder', 'symlink_model_folder']);

describe('#digestModel against OpenSSF Model Signing goldens', () => {
  const tempDir = useTempDirs();

  it('finds the files-serialization goldens', () => {
    expect(filesGoldens.sort()).toEqual([
      'deep_model_folder',
      'empty_model_file',
      'empty_model_folder',
      'model_folder_with_empty_file',
      'sample_model_file',
      'sample_model_folder',
      'symlink_model_folder',
    ]);
  });

  describe.each(filesGoldens.filter((n) => !SPECIAL.has(n)))(
    'when the model is %s',
    (model) => {
      it('returns the golden entries, order and subject digest', async () => {
        const golden = await loadGolden(model);
        expect(golden.predicate.serialization.method).toBe('files');
        const [subject] = golden.subject;
        const manifest = await digestModel(
          join(FIXTURES, model, subject?.name ?? ''),
        );

        expect(manifest.entries.map((e) => [e.path, e.sha256])).toEqual(
          golden.predicate.resources.map((r) => [r.name, r.digest]),
        );
        expect(manifest.rootDigest).toBe(subject?.digest.sha256);
      });
    },
  );

  describe('when the model is empty_model_folder', () => {
    it('throws DIGEST_EMPTY_MODEL once the fixture note is ignored', async () => {
      const root = join(FIXTURES, 'empty_model_folder/empty_folder_model');
      await expect(
        digestModel(root, { ignore: ['.keep-note-not-part-of-model'] }),
      ).rejects.toMatchObject({ code: 'DIGEST_EMPTY_MODEL' });
    });

    it('still agrees on the root digest of no entries', async () => {
      const golden = await loadGolden('empty_model_folder');
      expect(golden.predicate.resources).toEqual([]);
      expect(rootDigest([])).toBe(golden.subject[0]?.digest.sha256);
    });
  });

  describe('when the model is symlink_model_folder', () => {
    it('throws DIGEST_SYMLINK for the link OMS would follow', async () => {
      const root = await tempDir();
      const target = join(
        FIXTURES,
        'symlink_model_folder/EXTERNAL_TARGET_of_symlink_file',
      );
      await symlink(target, join(root, 'symlink_file'));
      await expect(digestModel(root)).rejects.toMatchObject({
        code: 'DIGEST_SYMLINK',
      });
    });

    it('agrees with the golden when given the link target digest', async () => {
      const golden = await loadGolden('symlink_model_folder');
      const target = join(
        FIXTURES,
        'symlink_model_folder/EXTERNAL_TARGET_of_symlink_file',
      );
      const { entries } = await digestModel(target);
      expect(entries[0]?.sha256).toBe(golden.predicate.resources[0]?.digest);
      expect(rootDigest(entries)).toBe(golden.subject[0]?.digest.sha256);
    });
  });
});
