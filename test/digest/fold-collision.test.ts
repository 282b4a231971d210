import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { digestModel } from '../../src/digest/index.js';
import { foldCollision } from '../../src/digest/posix-path.js';
import { buildStepStatement } from '../../src/steps/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-fold-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('#foldCollision', () => {
  it.each([
    [
      ['README.md', 'readme.md'],
      ['README.md', 'readme.md'],
    ],
    [
      ['caf\u00e9.json', 'cafe\u0301.json'],
      ['caf\u00e9.json', 'cafe\u0301.json'],
    ],
    [
      ['a/B', 'a/b', 'c'],
      ['a/B', 'a/b'],
    ],
  ])('returns the pair that folds to one name in %j', (paths, pair) => {
    expect(foldCollision(paths)).toEqual(pair);
  });

  it('returns undefined when names stay distinct', () => {
    expect(foldCollision(['a', 'b', 'a/b'])).toBeUndefined();
  });
});

describe('#digestModel', () => {
  describe('when two file names differ only by case', () => {
    it('throws DIGEST_BAD_PATH before hashing', async () => {
      await writeFile(join(dir, 'config.json'), '{}');
      await writeFile(join(dir, 'Config.json'), '{"evil":1}');
      await expect(digestModel(dir)).rejects.toMatchObject({
        code: 'DIGEST_BAD_PATH',
      });
    });
  });
});

describe('#buildStepStatement', () => {
  describe('when two outputs fold to one name', () => {
    it('throws STATEMENT_INVALID', () => {
      expect(() =>
        buildStepStatement({
          kind: 'convert',
          outputs: [
            { name: 'caf\u00e9.bin', sha256: 'a'.repeat(64) },
            { name: 'cafe\u0301.bin', sha256: 'b'.repeat(64) },
          ],
          inputs: [{ name: 'in.bin', sha256: 'c'.repeat(64) }],
          parameters: {},
          builderId: 'https://ci.example.com/b',
        }),
      ).toThrow(
        expect.objectContaining({ code: 'STATEMENT_INVALID' }) as Error,
      );
    });
  });
});
