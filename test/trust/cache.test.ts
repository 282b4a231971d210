import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrustError } from '../../src/errors.js';
import {
  mirrorCacheDir,
  prepareCache,
  PUBLIC_GOOD_TUF_MIRROR,
} from '../../src/trust/cache.js';
import {
  defaultTufCachePath,
  refreshTrustedRoot,
} from '../../src/trust/index.js';
import { TufRepo } from './tuf-repo.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tuf-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('#prepareCache', () => {
  describe('when the mirror is the public-good one and nothing is cached', () => {
    it('seeds the root.json that @sigstore/tuf ships, without a request', async () => {
      const cache = await prepareCache({
        cachePath: dir,
        mirror: PUBLIC_GOOD_TUF_MIRROR,
      });
      expect(cache.dir).toBe(join(dir, 'tuf-repo-cdn.sigstore.dev'));
      expect(cache.seeded).toBe(true);
      const seeds = JSON.parse(
        readFileSync(
          join(
            import.meta.dirname,
            '../../node_modules/@sigstore/tuf/seeds.json',
          ),
          'utf8',
        ),
      ) as Record<string, { 'root.json': string }>;
      const seeded = await readFile(join(cache.dir, 'root.json'));
      expect(seeded.toString('base64')).toBe(
        seeds[PUBLIC_GOOD_TUF_MIRROR]['root.json'],
      );
      const root = JSON.parse(seeded.toString()) as {
        signed: { _type: string };
      };
      expect(root.signed._type).toBe('root');
    });
  });

  describe('when a root is cached already', () => {
    it('keeps the cached root when the same one is given', async () => {
      const first = new TufRepo();
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, first.initialRoot);
      const mirror = 'http://127.0.0.1:1/repo';
      await prepareCache({ cachePath: dir, mirror, rootPath });
      const again = await prepareCache({ cachePath: dir, mirror, rootPath });
      expect(again.seeded).toBe(false);
      expect(await readFile(join(again.dir, 'root.json'))).toEqual(
        first.initialRoot,
      );
    });

    it('refuses another root with TRUST_OPTIONS_INVALID rather than ignore it', async () => {
      const first = new TufRepo();
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, first.initialRoot);
      const mirror = 'http://127.0.0.1:1/repo';
      await prepareCache({ cachePath: dir, mirror, rootPath });
      await writeFile(rootPath, new TufRepo().initialRoot);
      const error = await prepareCache({ cachePath: dir, mirror, rootPath })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrustError);
      expect((error as TrustError).code).toBe('TRUST_OPTIONS_INVALID');
      expect((error as TrustError).message).toContain('--force');
    });

    it('with force, replaces the cached root by the one given', async () => {
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, new TufRepo().initialRoot);
      const mirror = 'http://127.0.0.1:1/repo';
      await prepareCache({ cachePath: dir, mirror, rootPath });
      const second = new TufRepo().initialRoot;
      await writeFile(rootPath, second);
      const again = await prepareCache({
        cachePath: dir,
        mirror,
        rootPath,
        force: true,
      });
      expect(await readFile(join(again.dir, 'root.json'))).toEqual(second);
    });
  });
});

describe('#mirrorCacheDir', () => {
  it('names one folder per host and path', () => {
    expect(mirrorCacheDir('/c', 'https://tuf.example.internal/sigstore')).toBe(
      join('/c', 'tuf.example.internal%2Fsigstore'),
    );
  });
});

describe('#defaultTufCachePath', () => {
  it('uses XDG_CACHE_HOME when set', () => {
    expect(defaultTufCachePath({ XDG_CACHE_HOME: '/x' })).toBe(
      join('/x', 'mprov', 'tuf'),
    );
  });

  it('falls back to ~/.cache', () => {
    expect(defaultTufCachePath({})).toMatch(/\.cache[/\\]mprov[/\\]tuf$/);
  });
});

describe('#refreshTrustedRoot', () => {
  describe('when the mirror accepts the connection but never answers', () => {
    it('throws TRUST_MIRROR_UNREACHABLE after the timeout', async () => {
      const server = createServer(() => undefined);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const rootPath = join(dir, 'root.json');
      await writeFile(rootPath, new TufRepo().initialRoot);
      const started = Date.now();
      const error = await refreshTrustedRoot({
        mirrorUrl: url,
        cachePath: dir,
        rootPath,
        timeoutMs: 200,
      }).catch((e: unknown) => e);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      expect(error).toBeInstanceOf(TrustError);
      expect((error as TrustError).code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect((error as TrustError).message).toContain(
        `tuf mirror ${url}: no answer for 2.root.json`,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
