import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { readFileBounded } from '../../src/io/bounded-read.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-bounded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('#readFileBounded', () => {
  describe('when the file is a regular file', () => {
    it('returns its bytes up to exactly the bound', async () => {
      const path = await file('a', 'x'.repeat(100));
      expect(await readFileBounded(path, 100)).toEqual({
        ok: true,
        bytes: Buffer.from('x'.repeat(100)),
      });
      expect(await readFileBounded(await file('e', ''), 0)).toEqual({
        ok: true,
        bytes: Buffer.alloc(0),
      });
    });

    it('returns too-large with its size one byte past the bound', async () => {
      const path = await file('a', 'x'.repeat(101));
      expect(await readFileBounded(path, 100)).toEqual({
        ok: false,
        problem: 'too-large',
        size: 101,
      });
    });

    it('returns too-large for a huge sparse file, by its size', async () => {
      const path = await file('huge', '');
      await truncate(path, 2 ** 40);
      expect(await readFileBounded(path, 1024)).toEqual({
        ok: false,
        problem: 'too-large',
        size: 2 ** 40,
      });
    });
  });

  describe('when the path is a symbolic link', () => {
    it('returns link by default, without reading the target', async () => {
      const target = await file('target', 'secret');
      await symlink(target, join(dir, 'link'));
      const read = await readFileBounded(join(dir, 'link'), 100);
      expect(read).toMatchObject({ ok: false, problem: 'link' });
    });

    it('reads the target with followLink', async () => {
      const target = await file('target', 'key');
      await symlink(target, join(dir, 'link'));
      const read = await readFileBounded(join(dir, 'link'), 100, {
        followLink: true,
      });
      expect(read).toEqual({ ok: true, bytes: Buffer.from('key') });
    });
  });

  describe('when the path is not a regular file', () => {
    it('returns not-file by default, for a folder or a device', async () => {
      expect(await readFileBounded(dir, 100)).toEqual({
        ok: false,
        problem: 'not-file',
      });
      expect(await readFileBounded('/dev/zero', 100)).toEqual({
        ok: false,
        problem: 'not-file',
      });
    });

    it('returns not-file for a FIFO without waiting for a writer', async () => {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      expect(await readFileBounded(fifo, 100)).toEqual({
        ok: false,
        problem: 'not-file',
      });
    }, 5_000);

    it('reads an endless device no further than one byte past the bound', async () => {
      // Past the first 64 KiB chunk, so the buffer grows on the way.
      const max = 200_000;
      const read = await readFileBounded('/dev/zero', max, {
        allowSpecial: true,
      });
      expect(read).toEqual({ ok: false, problem: 'too-large', size: max + 1 });
    });

    it('returns the bytes of a device that ends within the bound', async () => {
      const read = await readFileBounded('/dev/null', 10, {
        allowSpecial: true,
      });
      expect(read).toEqual({ ok: true, bytes: Buffer.alloc(0) });
    });
  });

  describe('when the file cannot be opened', () => {
    it('returns missing, with the cause, for no file', async () => {
      const read = await readFileBounded(join(dir, 'none'), 100);
      expect(read).toMatchObject({
        ok: false,
        problem: 'missing',
        cause: { code: 'ENOENT' },
      });
    });

    it('returns unreadable, with the cause, for any other failure', async () => {
      const path = await file('plain', 'x');
      const read = await readFileBounded(join(path, 'below'), 100);
      expect(read).toMatchObject({
        ok: false,
        problem: 'unreadable',
        cause: { code: 'ENOTDIR' },
      });
    });
  });
});
