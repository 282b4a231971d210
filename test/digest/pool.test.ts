import { createHash } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { HashPool } from '../../src/digest/index.js';
import type { HashJob } from '../../src/digest/worker.js';
import { useTempDirs } from './helpers.js';

async function jobFor(path: string, start = 0, end?: number): Promise<HashJob> {
  const { size, mtimeMs } = await stat(path);
  return { path, name: 'f', start, end: end ?? size, size, mtimeMs };
}

describe('HashPool', () => {
  const tempDir = useTempDirs();
  const pools: HashPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  const pool = (size: number): HashPool => {
    const p = new HashPool(size);
    pools.push(p);
    return p;
  };

  describe('#run', () => {
    it('returns digests batch by batch, job by job', async () => {
      const dir = await tempDir();
      const path = join(dir, 'f');
      await writeFile(path, 'hello world');
      const job = await jobFor(path);
      const digests = await pool(2).run(
        [[job, await jobFor(path, 6)], [await jobFor(path, 0, 5)]],
        'sha256',
      );
      const sha = (s: string) => createHash('sha256').update(s).digest('hex');
      expect(digests).toEqual([
        [sha('hello world'), sha('world')],
        [sha('hello')],
      ]);
    });

    it('rejects with the job error code', async () => {
      const dir = await tempDir();
      const job = { ...(await jobFor(dir)), path: join(dir, 'missing') };
      await expect(pool(1).run([[job]], 'sha256')).rejects.toMatchObject({
        code: 'DIGEST_READ_FAILED',
      });
    });

    it('rejects with DIGEST_FILE_CHANGED when the size moved', async () => {
      const dir = await tempDir();
      const path = join(dir, 'f');
      await writeFile(path, 'abc');
      const job = { ...(await jobFor(path)), size: 2, end: 2 };
      await expect(pool(1).run([[job]], 'sha256')).rejects.toMatchObject({
        code: 'DIGEST_FILE_CHANGED',
      });
    });
  });

  describe('#close', () => {
    it('rejects queued work with DIGEST_WORKER_FAILED', async () => {
      const dir = await tempDir();
      const path = join(dir, 'f');
      await writeFile(path, Buffer.alloc(1024 * 1024));
      const job = await jobFor(path);
      const p = new HashPool(1);
      const outcome = p
        .run(
          Array.from({ length: 50 }, () => [job]),
          'sha256',
        )
        .catch((e: unknown) => e);
      await p.close();
      expect(await outcome).toMatchObject({
        code: 'DIGEST_WORKER_FAILED',
      });
    });
  });

  describe('constructor', () => {
    it('throws DIGEST_BAD_OPTIONS for a size below 1', () => {
      expect(() => new HashPool(0)).toThrow(
        expect.objectContaining({ code: 'DIGEST_BAD_OPTIONS' }),
      );
    });
  });
});
