import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  refreshTrustedRoot,
  type RefreshOptions,
} from '../../src/trust/index.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { TESTDATA } from '../testdata.js';
import { failureOf } from './failure.js';
import { serveFiles, type FileServer } from './serve.js';
import { newKey, TufRepo } from './tuf-repo.js';

// A real trusted root, served byte for byte: the public-good one.
const target = readFileSync(join(TESTDATA, 'public-good', 'trusted_root.json'));

let dir: string;
let repo: TufRepo;
let server: FileServer;
let options: RefreshOptions;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tuf-'));
  repo = new TufRepo();
  repo.publish(target);
  server = await serveFiles(repo.files);
  const rootPath = join(dir, 'root.json');
  await writeFile(rootPath, repo.initialRoot);
  options = { mirrorUrl: server.url, cachePath: join(dir, 'cache'), rootPath };
});
afterEach(async () => {
  vi.useRealTimers();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('#refreshTrustedRoot', () => {
  describe('when the mirror is down', () => {
    it('throws TRUST_MIRROR_UNREACHABLE within a second', async () => {
      await server.close();
      const started = Date.now();
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect(error.message).toContain(server.url);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('throws even with a cached copy, unless offlineOk is set', async () => {
      await refreshTrustedRoot(options);
      await server.close();
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
    });

    it('with offlineOk, returns the cached copy and says so', async () => {
      const fresh = await refreshTrustedRoot(options);
      await server.close();
      const cached = await refreshTrustedRoot({ ...options, offlineOk: true });
      expect(cached.root.digest).toBe(
        loadTrustedRoot(JSON.parse(target.toString())).digest,
      );
      expect(cached.fetchedAt).toEqual(fresh.fetchedAt);
      expect(cached.refreshFailure?.code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect(cached.source).toBe(
        `tuf-cache:${server.url} (root v1, fetched at ${fresh.fetchedAt.toISOString()}; refresh failed: TRUST_MIRROR_UNREACHABLE)`,
      );
    });

    it('with offlineOk, refuses a cached copy whose timestamp has expired', async () => {
      await refreshTrustedRoot(options);
      await server.close();
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 2 * 86_400_000);
      const error = await failureOf(
        refreshTrustedRoot({ ...options, offlineOk: true }),
      );
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect(error.message).toContain('no usable cached copy');
    });

    it('with offlineOk, throws when nothing is cached', async () => {
      await server.close();
      const error = await failureOf(
        refreshTrustedRoot({ ...options, offlineOk: true }),
      );
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
    });
  });

  describe('when the mirror answers with bad metadata and offlineOk is set', () => {
    it('still throws: a security failure never falls back to the cache', async () => {
      await refreshTrustedRoot(options);
      repo.publish(target, { timestampKey: newKey() });
      const error = await failureOf(
        refreshTrustedRoot({ ...options, offlineOk: true }),
      );
      expect(error.code).toBe('TRUST_METADATA_UNSIGNED');
    });
  });

  describe('when the initial root is missing or wrong', () => {
    it('throws TRUST_INITIAL_ROOT_MISSING for a private mirror without one', async () => {
      const rest = { ...options, rootPath: undefined };
      const error = await failureOf(refreshTrustedRoot(rest));
      expect(error.code).toBe('TRUST_INITIAL_ROOT_MISSING');
      expect(server.requests).toEqual([]);
    });

    it('uses the cached root once there is one', async () => {
      await refreshTrustedRoot(options);
      const rest = { ...options, rootPath: undefined };
      await expect(refreshTrustedRoot(rest)).resolves.toMatchObject({
        tufRootVersion: 1,
      });
    });

    it('throws TRUST_INITIAL_ROOT_INVALID for a root not signed by its keys', async () => {
      const forged = JSON.parse(repo.initialRoot.toString()) as {
        signed: { expires: string };
      };
      forged.signed.expires = '2099-01-01T00:00:00Z';
      await writeFile(options.rootPath!, JSON.stringify(forged));
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_INITIAL_ROOT_INVALID');
      // The bad root is not kept: the next run starts again from rootPath.
      await writeFile(options.rootPath!, repo.initialRoot);
      await expect(refreshTrustedRoot(options)).resolves.toBeDefined();
    });

    it('throws TRUST_INITIAL_ROOT_INVALID for a file that cannot be read', async () => {
      const error = await failureOf(
        refreshTrustedRoot({ ...options, rootPath: join(dir, 'none.json') }),
      );
      expect(error.code).toBe('TRUST_INITIAL_ROOT_INVALID');
    });

    it('with force, forgets the cache and starts from the initial root', async () => {
      repo.publish(target);
      await refreshTrustedRoot(options);
      // A reset repository: a rollback for the cache, a fresh start with force.
      repo.publish(target, { version: 1 });
      expect((await failureOf(refreshTrustedRoot(options))).code).toBe(
        'TRUST_METADATA_ROLLBACK',
      );
      await expect(
        refreshTrustedRoot({ ...options, force: true }),
      ).resolves.toBeDefined();
    });
  });

  describe('when the mirror URL is not acceptable', () => {
    it.each([
      ['ftp://127.0.0.1/repo', 'http or https'],
      ['not a url', 'not a URL'],
      ['http://user:s3cret@127.0.0.1:1/', 'user name or password'],
      ['http://127.0.0.1:1/?token=s3cret', 'query'],
    ])(
      'throws TRUST_OPTIONS_INVALID for %s, without repeating it',
      async (mirrorUrl, why) => {
        const error = await failureOf(
          refreshTrustedRoot({ ...options, mirrorUrl }),
        );
        expect(error.code).toBe('TRUST_OPTIONS_INVALID');
        expect(error.message).toContain(why);
        expect(error.message).not.toContain('s3cret');
      },
    );
  });
});
