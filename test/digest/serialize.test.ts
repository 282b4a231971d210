import { createHash } from 'node:crypto';
import { appendFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { combineDigests, serializeModel } from '../../src/digest/index.js';
import { useTempDirs } from './helpers.js';

const hex = (data: string | Buffer, algorithm = 'sha256'): string =>
  createHash(algorithm).update(data).digest('hex');

async function writeTree(
  root: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('#serializeModel', () => {
  const tempDir = useTempDirs();

  describe('when serializing by shards', () => {
    it('returns path:start:end resources, the last shard short', async () => {
      const root = await tempDir();
      await writeTree(root, { 'w.bin': '0123456789', empty: '' });
      const model = await serializeModel(root, {
        serialization: 'shards',
        shardSize: 4,
      });
      expect(model.resources.map((r) => [r.name, r.digest])).toEqual([
        ['w.bin:0:4', hex('0123')],
        ['w.bin:4:8', hex('4567')],
        ['w.bin:8:10', hex('89')],
      ]);
      expect(model.resources[0]?.algorithm).toBe('sha256-sharded-4');
      expect(model.rootDigest).toBe(
        combineDigests(model.resources.map((r) => r.digest)),
      );
    });

    it('throws DIGEST_BAD_OPTIONS when shards would exceed a million', async () => {
      const root = await tempDir();
      await writeTree(root, { w: Buffer.alloc(1_000_001) });
      await expect(
        serializeModel(root, { serialization: 'shards', shardSize: 1 }),
      ).rejects.toMatchObject({ code: 'DIGEST_BAD_OPTIONS' });
    });

    it.each([0, -1, 1.5, Number.NaN])(
      'throws DIGEST_BAD_OPTIONS for shard size %s',
      async (shardSize) => {
        const root = await tempDir();
        await writeTree(root, { f: 'f' });
        await expect(
          serializeModel(root, { serialization: 'shards', shardSize }),
        ).rejects.toMatchObject({ code: 'DIGEST_BAD_OPTIONS' });
      },
    );
  });

  describe('when the hash is blake2b', () => {
    it('returns the RFC 7693 digest of "abc" and a SHA-256 root', async () => {
      const root = await tempDir();
      await writeTree(root, { abc: 'abc' });
      const model = await serializeModel(root, { hash: 'blake2b' });
      const [resource] = model.resources;
      expect(resource?.digest).toBe(
        'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
          '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
      );
      expect(resource?.algorithm).toBe('blake2b');
      expect(model.rootDigest).toBe(
        hex(Buffer.from(resource?.digest ?? '', 'hex')),
      );
    });

    it('throws DIGEST_BAD_OPTIONS for an unknown hash', async () => {
      const root = await tempDir();
      await writeTree(root, { f: 'f' });
      await expect(
        serializeModel(root, { hash: 'md5' as 'sha256' }),
      ).rejects.toMatchObject({ code: 'DIGEST_BAD_OPTIONS' });
    });
  });

  describe('when ignore patterns are given', () => {
    it('skips matches and records every pattern in force', async () => {
      const root = await tempDir();
      await writeTree(root, {
        '.mprov/a.json': '{}',
        'logs/x': 'x',
        'a/b/run.tmp': 't',
        'keep.tmp.txt': 'k',
        'w.bin': 'w',
      });
      const model = await serializeModel(root, {
        ignore: ['logs', '**/*.tmp'],
      });
      expect(model.resources.map((r) => r.path)).toEqual([
        'keep.tmp.txt',
        'w.bin',
      ]);
      expect(model.serialization.ignorePaths).toEqual([
        '.mprov',
        '.git',
        'logs',
        '**/*.tmp',
      ]);
    });
  });

  describe('when links are allowed', () => {
    it('hashes a link to a file inside as its target', async () => {
      const root = await tempDir();
      await writeTree(root, { 'real/w.bin': 'weights' });
      await symlink('real/w.bin', join(root, 'link.bin'));
      const model = await serializeModel(root, { allowSymlinks: true });
      expect(model.resources.map((r) => [r.path, r.digest])).toEqual([
        ['link.bin', hex('weights')],
        ['real/w.bin', hex('weights')],
      ]);
      expect(model.serialization.allowSymlinks).toBe(true);
    });

    it('throws DIGEST_SYMLINK_ESCAPE for a link out of the root', async () => {
      const outside = await tempDir();
      const root = await tempDir();
      await writeTree(outside, { secret: 's' });
      await writeTree(root, { f: 'f' });
      await symlink(join(outside, 'secret'), join(root, 'out'));
      await expect(
        serializeModel(root, { allowSymlinks: true }),
      ).rejects.toMatchObject({ code: 'DIGEST_SYMLINK_ESCAPE' });
    });

    it('throws DIGEST_SYMLINK for a link to a directory', async () => {
      const root = await tempDir();
      await writeTree(root, { 'd/f': 'f' });
      await symlink('d', join(root, 'loop'));
      await expect(
        serializeModel(root, { allowSymlinks: true }),
      ).rejects.toMatchObject({ code: 'DIGEST_SYMLINK' });
    });
  });

  describe('when a progress callback is given', () => {
    it('reports growing byte counts up to the total', async () => {
      const root = await tempDir();
      const big = Buffer.alloc(40 * 1024 * 1024, 1);
      await writeTree(root, { a: big, b: 'bb', c: '' });
      const seen: [number, number][] = [];
      await serializeModel(root, {
        serialization: 'shards',
        shardSize: 16 * 1024 * 1024,
        onProgress: (done, total) => seen.push([done, total]),
      });
      const total = big.length + 2;
      expect(seen[0]).toEqual([0, total]);
      expect(seen.at(-1)).toEqual([total, total]);
      const dones = seen.map(([d]) => d);
      expect(dones).toEqual([...dones].sort((x, y) => x - y));
    });
  });

  describe('when threads are given', () => {
    it('returns the same manifest as the shared pool', async () => {
      const root = await tempDir();
      const files = Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`d${i % 3}/f${i}`, `${i}`]),
      );
      await writeTree(root, files);
      const shared = await serializeModel(root);
      const own = await serializeModel(root, { threads: 3 });
      expect(own.resources).toEqual(shared.resources);
      expect(own.rootDigest).toBe(shared.rootDigest);
    });

    it('throws DIGEST_BAD_OPTIONS for zero threads', async () => {
      const root = await tempDir();
      await writeTree(root, { f: 'f' });
      await expect(serializeModel(root, { threads: 0 })).rejects.toMatchObject({
        code: 'DIGEST_BAD_OPTIONS',
      });
    });
  });

  describe('when the model is empty', () => {
    it('returns no resources and the digest of nothing if allowed', async () => {
      const root = await tempDir();
      await mkdir(join(root, 'empty-dir'));
      const model = await serializeModel(root, { allowEmpty: true });
      expect(model.resources).toEqual([]);
      expect(model.rootDigest).toBe(hex(''));
    });
  });

  describe('when a file grows while its shards are hashed', () => {
    it('throws DIGEST_FILE_CHANGED', async () => {
      const root = await tempDir();
      const path = join(root, 'growing');
      await writeFile(path, Buffer.alloc(64 * 1024 * 1024));

      let settled = false;
      const outcome = serializeModel(root, {
        serialization: 'shards',
        shardSize: 8 * 1024 * 1024,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      void outcome.finally(() => {
        settled = true;
      });
      while (!settled) await appendFile(path, 'x');

      expect(await outcome).toMatchObject({ code: 'DIGEST_FILE_CHANGED' });
    });
  });
});

describe('#serializeModel with alreadyHashed', () => {
  const tempDir = useTempDirs();
  // A digest no file here has: where it shows up, the file was not read.
  const VOUCHED = 'ab'.repeat(32);

  async function model(): Promise<string> {
    const root = await tempDir();
    await writeTree(root, { 'a.bin': 'aaaa', 'b.bin': 'bbbbbb' });
    return root;
  }

  it('takes the digest of a file listed with the same path and size', async () => {
    const root = await model();
    const progress: number[] = [];
    const result = await serializeModel(root, {
      alreadyHashed: [{ path: 'a.bin', sha256: VOUCHED, size: 4 }],
      onProgress: (_done, total) => progress.push(total),
    });
    expect(result.resources.map((r) => [r.path, r.digest])).toEqual([
      ['a.bin', VOUCHED],
      ['b.bin', hex('bbbbbb')],
    ]);
    expect(result.rootDigest).toBe(combineDigests([VOUCHED, hex('bbbbbb')]));
    expect(result.bytes).toBe(10);
    // Only b.bin was read: progress counts the bytes actually hashed.
    expect(new Set(progress)).toEqual(new Set([6]));
  });

  it('reads the file again when its size differs', async () => {
    const root = await model();
    const result = await serializeModel(root, {
      alreadyHashed: [{ path: 'a.bin', sha256: VOUCHED, size: 5 }],
    });
    expect(result.resources[0]?.digest).toBe(hex('aaaa'));
  });

  it.each([
    ['shards', { serialization: 'shards', shardSize: 1024 }],
    ['BLAKE2b', { hash: 'blake2b' }],
    ['links allowed', { allowSymlinks: true }],
  ] as const)('ignores them for %s', async (_name, opts) => {
    const root = await model();
    const result = await serializeModel(root, {
      ...opts,
      alreadyHashed: [{ path: 'a.bin', sha256: VOUCHED, size: 4 }],
    });
    expect(result.resources[0]?.digest).not.toBe(VOUCHED);
    expect(result.resources[0]?.path).toBe('a.bin');
  });

  it('ignores a digest that is not lower-case SHA-256 hex', async () => {
    const root = await model();
    const result = await serializeModel(root, {
      alreadyHashed: [
        { path: 'a.bin', sha256: VOUCHED.toUpperCase(), size: 4 },
      ],
    });
    expect(result.resources[0]?.digest).toBe(hex('aaaa'));
  });
});
