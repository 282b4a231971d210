import { createHash } from 'node:crypto';
import { appendFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { sha256File } from '../../src/digest/index.js';
import { useTempDirs } from './helpers.js';

describe('#sha256File', () => {
  const tempDir = useTempDirs();

  describe('when the file spans several read buffers', () => {
    it('returns the lower-case hex SHA-256 of the whole content', async () => {
      const dir = await tempDir();
      const data = Buffer.alloc(9 * 1024 * 1024 + 7);
      for (let i = 0; i < data.length; i += 4093) data[i] = i & 0xff;
      await writeFile(join(dir, 'big'), data);
      const expected = createHash('sha256').update(data).digest('hex');
      expect(await sha256File(join(dir, 'big'))).toBe(expected);
    });
  });

  describe('when given the NIST "abc" vector', () => {
    it('returns the published digest', async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'abc'), 'abc');
      expect(await sha256File(join(dir, 'abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    });
  });

  describe('when the path is a directory', () => {
    it('throws DIGEST_NOT_A_FILE', async () => {
      const dir = await tempDir();
      await expect(sha256File(dir)).rejects.toMatchObject({
        code: 'DIGEST_NOT_A_FILE',
      });
    });
  });

  describe('when the path is a symbolic link', () => {
    it('throws DIGEST_SYMLINK', async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'real'), 'r');
      await symlink('real', join(dir, 'link'));
      await expect(sha256File(join(dir, 'link'))).rejects.toMatchObject({
        code: 'DIGEST_SYMLINK',
      });
    });
  });

  describe('when the path does not exist', () => {
    it('throws DIGEST_READ_FAILED', async () => {
      const dir = await tempDir();
      await expect(sha256File(join(dir, 'nope'))).rejects.toMatchObject({
        code: 'DIGEST_READ_FAILED',
      });
    });
  });

  describe('when the file grows while it is hashed', () => {
    it('throws DIGEST_FILE_CHANGED', async () => {
      const dir = await tempDir();
      const path = join(dir, 'growing');
      await writeFile(path, Buffer.alloc(64 * 1024 * 1024));

      let settled = false;
      const outcome = sha256File(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      void outcome.finally(() => {
        settled = true;
      });
      // Keep writing until hashing ends, so some write lands mid-read.
      while (!settled) await appendFile(path, 'x');

      expect(await outcome).toMatchObject({ code: 'DIGEST_FILE_CHANGED' });
    });
  });
});
