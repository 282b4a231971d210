import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrustError } from '../../src/errors.js';
import {
  cachedRootVersion,
  mirrorCacheDir,
  prepareCache,
} from '../../src/trust/cache.js';
import {
  refreshTrustedRoot,
  type RefreshOptions,
} from '../../src/trust/refresh.js';
import { TESTDATA } from '../testdata.js';
import { failureOf } from './failure.js';
import { serveFiles, type FileServer } from './serve.js';
import { TufRepo } from './tuf-repo.js';

let target: Buffer;
let dir: string;
let repo: TufRepo;
let server: FileServer;
let options: RefreshOptions;

beforeEach(async () => {
  target = await readFile(join(TESTDATA, 'public-good', 'trusted_root.json'));
  dir = await mkdtemp(join(tmpdir(), 'mprov-tuf-opts-'));
  repo = new TufRepo();
  repo.publish(target);
  server = await serveFiles(repo.files);
  const rootPath = join(dir, 'root.json');
  await writeFile(rootPath, repo.initialRoot);
  options = { mirrorUrl: server.url, cachePath: join(dir, 'cache'), rootPath };
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('#refreshTrustedRoot', () => {
  describe('when the options are of the wrong kind', () => {
    it.each([
      ['a cachePath that is no string', { cachePath: 42 }],
      ['an empty cachePath', { cachePath: '' }],
      ['a rootPath that is no string', { rootPath: {} }],
      ['a zero timeout', { timeoutMs: 0 }],
      ['a negative timeout', { timeoutMs: -5 }],
      ['an endless timeout', { timeoutMs: Infinity }],
      ['a timeout that is not a number', { timeoutMs: NaN }],
      ['a timeout given as text', { timeoutMs: '100' }],
      ['an offlineOk that is no boolean', { offlineOk: 'yes' }],
      ['a negative lock wait', { lockWaitMs: -1 }],
      ['a lock wait that is not a number', { lockWaitMs: NaN }],
      ['a lock wait given as text', { lockWaitMs: '100' }],
    ])(
      'throws TRUST_OPTIONS_INVALID for %s, asking nothing',
      async (_, bad) => {
        const opts = { ...options, ...bad } as unknown as RefreshOptions;
        const error = await failureOf(refreshTrustedRoot(opts));
        expect(error.code).toBe('TRUST_OPTIONS_INVALID');
        expect(server.requests).toEqual([]);
      },
    );

    it('does not fall back to the cache for a zero timeout with offlineOk', async () => {
      await refreshTrustedRoot(options);
      const opts = { ...options, timeoutMs: 0, offlineOk: true };
      const error = await failureOf(refreshTrustedRoot(opts));
      expect(error.code).toBe('TRUST_OPTIONS_INVALID');
      expect(error.message).toContain('timeoutMs');
    });
  });

  describe('when refreshes of one cache run at once', () => {
    it('takes them in turn: all succeed, no lock is left', async () => {
      const results = await Promise.all(
        [1, 2, 3].map(() => refreshTrustedRoot(options)),
      );
      for (const r of results) expect(r.refreshFailure).toBeUndefined();
      expect(new Set(results.map((r) => r.root.digest)).size).toBe(1);
      const cache = await readdir(options.cachePath);
      expect(cache).toEqual([encodeURIComponent(new URL(server.url).host)]);
      // One whole refresh after another: the first fills the cache, the
      // next two find it current. Unlocked, their requests interleave.
      expect(server.requests).toEqual([
        '2.root.json',
        'timestamp.json',
        '1.snapshot.json',
        '1.targets.json',
        expect.stringMatching(/^targets\/[0-9a-f]{64}\.trusted_root\.json$/),
        '2.root.json',
        'timestamp.json',
        '2.root.json',
        'timestamp.json',
      ]);
    });

    it('throws TRUST_CACHE_LOCKED while another process holds the lock', async () => {
      const lock = `${mirrorCacheDir(options.cachePath, server.url)}@lock`;
      await mkdir(options.cachePath, { recursive: true });
      // This very process, as a holder that is alive.
      const holder = { pid: process.pid, host: hostname(), nonce: 'other' };
      await writeFile(lock, JSON.stringify(holder));
      const opts = { ...options, lockWaitMs: 100 };
      const error = await failureOf(refreshTrustedRoot(opts));
      expect(error.code).toBe('TRUST_CACHE_LOCKED');
      expect(error.message).toContain(`process ${process.pid}`);
      expect(server.requests).toEqual([]);
    });
  });

  describe('when another initial root is given for a cached mirror', () => {
    it('refuses it with TRUST_OPTIONS_INVALID, naming --force', async () => {
      await refreshTrustedRoot(options);
      await writeFile(options.rootPath!, new TufRepo().initialRoot);
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_OPTIONS_INVALID');
      expect(error.message).toContain(options.rootPath);
      expect(error.message).toContain('--force');
    });

    it('accepts the same root again after a rotation', async () => {
      await refreshTrustedRoot(options);
      repo.addRoot([repo.keys.root]);
      repo.publish(target);
      await expect(refreshTrustedRoot(options)).resolves.toMatchObject({
        tufRootVersion: 2,
      });
      await expect(refreshTrustedRoot(options)).resolves.toBeDefined();
    });

    it('with force, starts again from the new root', async () => {
      await refreshTrustedRoot(options);
      const other = new TufRepo();
      other.publish(target);
      await server.close();
      server = await serveFiles(other.files);
      await writeFile(options.rootPath!, other.initialRoot);
      const opts = { ...options, mirrorUrl: server.url, force: true };
      await expect(refreshTrustedRoot(opts)).resolves.toBeDefined();
    });
  });

  describe('when the cached root.json is damaged', () => {
    it('throws TRUST_CACHE_FAILED naming the cached file and --force', async () => {
      await refreshTrustedRoot(options);
      const cached = join(
        mirrorCacheDir(options.cachePath, server.url),
        'root.json',
      );
      await writeFile(cached, '{"signed": {}}');
      const rest = { ...options, rootPath: undefined };
      const error = await failureOf(refreshTrustedRoot(rest));
      expect(error.code).toBe('TRUST_CACHE_FAILED');
      expect(error.message).toContain(cached);
      expect(error.message).toContain('--force');
      expect(error.message).not.toContain('initial root.json is not');
    });
  });

  describe('when the mirror is down and the cache cannot stand in', () => {
    it('keeps both the refresh failure and the cache error as the cause', async () => {
      const fresh = await refreshTrustedRoot(options);
      await server.close();
      await rm(fresh.path);
      const error = await failureOf(
        refreshTrustedRoot({ ...options, offlineOk: true }),
      );
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect(error.cause).toBeInstanceOf(AggregateError);
      const [failure, cacheError] = (error.cause as AggregateError)
        .errors as unknown[];
      expect((failure as TrustError).code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect((cacheError as TrustError).code).toBe('TRUST_TARGET_MISSING');
    });
  });
});

describe('#cachedRootVersion', () => {
  it('throws TRUST_CACHE_FAILED naming a cached root.json that is not JSON', async () => {
    const cache = await prepareCache({
      cachePath: join(dir, 'cache'),
      mirror: 'http://127.0.0.1:1/repo',
      rootPath: options.rootPath,
    });
    const file = join(cache.dir, 'root.json');
    await writeFile(file, 'not json');
    const error = await failureOf(cachedRootVersion(cache));
    expect(error.code).toBe('TRUST_CACHE_FAILED');
    expect(error.message).toContain(file);
  });
});
