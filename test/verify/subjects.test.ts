import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { digestModel } from '../../src/digest/index.js';
import { buildStepStatement } from '../../src/steps/index.js';
import { verifySubjects } from '../../src/verify/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-subjects-'));
  await writeFile(join(dir, 'model.bin'), 'weights');
  await writeFile(join(dir, 'config.json'), '{}');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function statementForDir() {
  const manifest = await digestModel(dir);
  return buildStepStatement({
    kind: 'export',
    outputs: manifest.entries.map((e) => ({ name: e.path, sha256: e.sha256 })),
    inputs: [{ name: 'src.bin', sha256: 'a'.repeat(64) }],
    parameters: { sourceFormat: 'a', targetFormat: 'b' },
    builderId: 'https://ci.example.com/export',
  });
}

describe('#verifySubjects', () => {
  describe('when every file is a subject', () => {
    it('returns the number of files matched', async () => {
      expect(await verifySubjects(await statementForDir(), dir)).toBe(2);
    });
  });

  describe('when a file differs from its subject', () => {
    it('throws VERIFY_SUBJECT_MISMATCH naming the file', async () => {
      const statement = await statementForDir();
      await writeFile(join(dir, 'model.bin'), 'weightz');
      await expect(verifySubjects(statement, dir)).rejects.toMatchObject({
        code: 'VERIFY_SUBJECT_MISMATCH',
        message: expect.stringContaining('model.bin') as unknown,
      });
    });
  });

  describe('when a file is no subject at all', () => {
    it('throws VERIFY_SUBJECT_MISMATCH', async () => {
      const statement = await statementForDir();
      await writeFile(join(dir, 'loader.py'), 'import os');
      await expect(verifySubjects(statement, dir)).rejects.toMatchObject({
        code: 'VERIFY_SUBJECT_MISMATCH',
      });
    });
  });

  describe('when the artifact is a single file', () => {
    it('matches it by its file name', async () => {
      const statement = await statementForDir();
      const file = join(dir, 'model.bin');
      expect(await verifySubjects(statement, file)).toBe(1);
    });
  });
});
