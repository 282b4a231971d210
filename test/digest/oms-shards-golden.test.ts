import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { serializeModel } from '../../src/digest/index.js';

const BASE = join(
  import.meta.dirname,
  '../../../shared/testdata/model-signing',
);
const GOLDEN = join(BASE, 'golden/_signing/testdata/signing/TestPayload');
const LINES = join(
  BASE,
  'golden/_serialization/testdata/file_shard/TestSerializer',
);
const FIXTURES = join(BASE, 'fixture-models');

interface Golden {
  subject: { name: string; digest: { sha256: string } }[];
  predicate: {
    serialization: { method: string; hash_type: string; shard_size: number };
    resources: { name: string; digest: string; algorithm: string }[];
  };
}

async function loadGolden(name: string): Promise<Golden> {
  return JSON.parse(await readFile(join(GOLDEN, name), 'utf8')) as Golden;
}

/** `X_shard` uses the 1 GB default shard, `X_small_shards` 8 bytes. */
const shardGoldens = (await readdir(GOLDEN)).filter((n) =>
  /_shard$|_small_shards$/.test(n),
);
const modelOf = (name: string): string =>
  name.replace(/_shard$|_small_shards$/, '');

/** The fixture note is not part of the model; OMS's link leaves the root. */
const SPECIAL = new Set(['empty_model_folder', 'symlink_model_folder']);

async function serializeFixture(name: string, golden: Golden) {
  const model = modelOf(name);
  const [subject] = golden.subject;
  const shardSize = golden.predicate.serialization.shard_size;
  if (model === 'symlink_model_folder') {
    // We never follow a link out of the model: hash the target itself.
    const target = 'symlink_model_folder/EXTERNAL_TARGET_of_symlink_file';
    return serializeModel(join(FIXTURES, target), {
      serialization: 'shards',
      shardSize,
    });
  }
  return serializeModel(join(FIXTURES, model, subject?.name ?? ''), {
    serialization: 'shards',
    shardSize,
    ...(SPECIAL.has(model)
      ? { ignore: ['.keep-note-not-part-of-model'], allowEmpty: true }
      : {}),
  });
}

describe('#serializeModel against OpenSSF Model Signing shard goldens', () => {
  it('finds a golden with each shard size for every fixture', () => {
    expect(shardGoldens).toHaveLength(14);
  });

  describe.each(shardGoldens.sort())('when the golden is %s', (name) => {
    it('returns the golden resources, order and subject digest', async () => {
      const golden = await loadGolden(name);
      const model = await serializeFixture(name, golden);
      const { resources } = golden.predicate;

      const names = (r: { name: string }) =>
        modelOf(name) === 'symlink_model_folder'
          ? r.name.replace(/^[^:]*/, '')
          : r.name;
      expect(
        model.resources.map((r) => [names(r), r.digest, r.algorithm]),
      ).toEqual(resources.map((r) => [names(r), r.digest, r.algorithm]));
      expect(model.rootDigest).toBe(golden.subject[0]?.digest.sha256);
      expect(model.serialization).toMatchObject({
        method: 'shards',
        hashType: golden.predicate.serialization.hash_type,
        shardSize: golden.predicate.serialization.shard_size,
      });
    });
  });

  describe('when compared with the serializer goldens (path:start:end:hex)', () => {
    it.each([
      'sample_model_folder',
      'deep_model_folder',
      'model_folder_with_empty_file',
    ])('returns the same lines for %s', async (model) => {
      const text = await readFile(join(LINES, `${model}_small_shards`), 'utf8');
      const dir = (await readdir(join(FIXTURES, model)))[0] ?? '';
      const serialized = await serializeModel(join(FIXTURES, model, dir), {
        serialization: 'shards',
        shardSize: 8,
      });
      const lines = serialized.resources.map((r) => `${r.name}:${r.digest}`);
      expect(lines).toEqual(text.split('\n').filter((l) => l !== ''));
    });
  });
});
