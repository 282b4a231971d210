import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { STORE_DIR, digestModel, rootDigest } from '../../src/digest/index.js';
import { useTempDirs } from './helpers.js';

const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function writeTree(
  root: string,
  files: Record<string, string>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('#digestModel', () => {
  const tempDir = useTempDirs();

  describe('when the directory holds nested files', () => {
    it('returns entries in OMS path order with sizes', async () => {
      const root = await tempDir();
      await writeTree(root, { 'a-b': 'x', 'a/b': 'yy', B: '', a0: 'zzz' });
      const { entries } = await digestModel(root);
      expect(entries.map((e) => [e.path, e.size])).toEqual([
        ['B', 0],
        ['a/b', 2],
        ['a-b', 1],
        ['a0', 3],
      ]);
      expect(entries[0]?.sha256).toBe(EMPTY_SHA256);
    });
  });

  describe('when the store and .git exist', () => {
    it('returns a manifest that leaves them out', async () => {
      const root = await tempDir();
      await writeTree(root, {
        [`${STORE_DIR}/att.json`]: '{}',
        '.git/HEAD': 'ref',
        '.gitattributes': '*',
        'w.bin': 'w',
      });
      const { entries } = await digestModel(root);
      expect(entries.map((e) => e.path)).toEqual(['.gitattributes', 'w.bin']);
    });
  });

  describe('when ignore paths are given', () => {
    it('returns a manifest without exact files and directory prefixes', async () => {
      const root = await tempDir();
      await writeTree(root, {
        'logs/run.txt': 'l',
        'logs2/keep': 'k',
        'cfg/a.json': 'a',
        'cfg/b.json': 'b',
      });
      const { entries } = await digestModel(root, {
        ignore: ['logs', 'cfg/a.json'],
      });
      expect(entries.map((e) => e.path)).toEqual(['cfg/b.json', 'logs2/keep']);
    });

    it.each(['../x', '/abs', 'a\\b', 'a\u0000b', 'a//b', './a', ''])(
      'throws DIGEST_BAD_PATH for ignore path %j',
      async (bad) => {
        const root = await tempDir();
        await writeTree(root, { f: 'f' });
        await expect(
          digestModel(root, { ignore: [bad] }),
        ).rejects.toMatchObject({ code: 'DIGEST_BAD_PATH' });
      },
    );
  });

  describe('when every file is ignored', () => {
    it('throws DIGEST_EMPTY_MODEL', async () => {
      const root = await tempDir();
      await writeTree(root, { [`${STORE_DIR}/a`]: 'a', 'empty/.keep': '' });
      await mkdir(join(root, 'nothing'));
      await expect(
        digestModel(root, { ignore: ['empty'] }),
      ).rejects.toMatchObject({ code: 'DIGEST_EMPTY_MODEL' });
    });
  });

  describe('when a file name is unsafe', () => {
    it.each(['back\\slash', 'line\nfeed', 'tab\there'])(
      'throws DIGEST_BAD_PATH for %j',
      async (name) => {
        const root = await tempDir();
        await writeTree(root, { ok: 'o', [name]: 'x' });
        await expect(digestModel(root)).rejects.toMatchObject({
          code: 'DIGEST_BAD_PATH',
        });
      },
    );

    it('throws DIGEST_BAD_PATH for a name that is not UTF-8', async () => {
      const root = await tempDir();
      const name = Buffer.concat([Buffer.from(root + '/bad'), Buffer.of(0xff)]);
      await writeFile(name, 'x');
      await expect(digestModel(root)).rejects.toMatchObject({
        code: 'DIGEST_BAD_PATH',
      });
    });
  });

  describe('when the tree holds a symbolic link', () => {
    it('throws DIGEST_SYMLINK for a link to a file inside', async () => {
      const root = await tempDir();
      await writeTree(root, { 'sub/real': 'r' });
      await symlink('real', join(root, 'sub/link'));
      await expect(digestModel(root)).rejects.toMatchObject({
        code: 'DIGEST_SYMLINK',
        message: expect.stringContaining('sub/link (allowSymlinks') as string,
      });
    });

    it('throws DIGEST_SYMLINK when the root itself is a link', async () => {
      const root = await tempDir();
      await writeTree(root, { 'm/f': 'f' });
      await symlink(join(root, 'm'), join(root, 'link'));
      await expect(digestModel(join(root, 'link'))).rejects.toMatchObject({
        code: 'DIGEST_SYMLINK',
      });
    });
  });

  describe('when the tree holds a FIFO', () => {
    it('throws DIGEST_NOT_A_FILE without blocking', async () => {
      const root = await tempDir();
      await writeTree(root, { f: 'f' });
      execFileSync('mkfifo', [join(root, 'pipe')]);
      await expect(digestModel(root)).rejects.toMatchObject({
        code: 'DIGEST_NOT_A_FILE',
      });
    });
  });

  describe('when the root does not exist', () => {
    it('throws DIGEST_READ_FAILED', async () => {
      const root = await tempDir();
      await expect(digestModel(join(root, 'missing'))).rejects.toMatchObject({
        code: 'DIGEST_READ_FAILED',
        message: expect.stringMatching(
          /^cannot read .*missing \(no such file or folder\)$/,
        ) as string,
      });
    });
  });

  describe('when the model is one file', () => {
    it('returns one entry named "."', async () => {
      const root = await tempDir();
      await writeTree(root, { 'model.gguf': '' });
      const manifest = await digestModel(join(root, 'model.gguf'));
      expect(manifest.entries).toEqual([
        { path: '.', sha256: EMPTY_SHA256, size: 0 },
      ]);
    });
  });
});

describe('#rootDigest', () => {
  describe('when a digest is not 64 lower-case hex characters', () => {
    it.each(['ABCD', EMPTY_SHA256.toUpperCase(), EMPTY_SHA256 + '0', 'zz'])(
      'throws DIGEST_MALFORMED for %s',
      (sha256) => {
        expect(() => rootDigest([{ sha256 }])).toThrow(
          expect.objectContaining({ code: 'DIGEST_MALFORMED' }),
        );
      },
    );
  });

  describe('when the order changes', () => {
    it('returns a different digest', () => {
      const a = { sha256: EMPTY_SHA256 };
      const b = { sha256: 'ab'.repeat(32) };
      expect(rootDigest([a, b])).not.toBe(rootDigest([b, a]));
    });
  });
});
