/**
 * A hostile TUF mirror against refreshTrustedRoot: every attack must end
 * in a TrustError with a stable code (or a safe result), fast, and never
 * reach a host other than the mirror.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  refreshTrustedRoot,
  type RefreshOptions,
} from '../../src/trust/index.js';
import { TESTDATA } from '../testdata.js';
import { failureOf } from '../trust/failure.js';
import { TufRepo } from '../trust/tuf-repo.js';
import {
  drip,
  redirect,
  serveHostile,
  type HostileMirror,
} from './hostile-mirror.js';

const target = readFileSync(join(TESTDATA, 'public-good', 'trusted_root.json'));

let dir: string;
let repo: TufRepo;
let mirror: HostileMirror;
let options: RefreshOptions;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tuf-attack-'));
  repo = new TufRepo();
  repo.publish(target);
  mirror = await serveHostile(repo.files);
  const rootPath = join(dir, 'root.json');
  await writeFile(rootPath, repo.initialRoot);
  options = {
    mirrorUrl: mirror.url,
    cachePath: join(dir, 'cache'),
    rootPath,
    timeoutMs: 1000,
  };
});
afterEach(async () => {
  await mirror.close();
  await rm(dir, { recursive: true, force: true });
});

describe('#refreshTrustedRoot against a hostile mirror', () => {
  describe('when the mirror redirects to another server', () => {
    it('does not follow it: TRUST_DOWNLOAD_FAILED with the status', async () => {
      const other = await serveHostile(repo.files);
      try {
        mirror.handlers.set(
          'timestamp.json',
          redirect(`${other.url}/timestamp.json`),
        );
        const error = await failureOf(refreshTrustedRoot(options));
        expect(error.code).toBe('TRUST_DOWNLOAD_FAILED');
        expect(error.message).toContain('HTTP 302 for timestamp.json');
        expect(other.requests).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('does not follow a redirect of the target either', async () => {
      const other = await serveHostile(repo.files);
      try {
        const path = repo.targetPath(target);
        mirror.handlers.set(path, redirect(`${other.url}/${path}`, 307));
        const error = await failureOf(refreshTrustedRoot(options));
        expect(error.code).toBe('TRUST_DOWNLOAD_FAILED');
        expect(other.requests).toEqual([]);
      } finally {
        await other.close();
      }
    });
  });

  describe('when the mirror rolls versions back', () => {
    it('throws TRUST_METADATA_ROLLBACK for an older, still valid timestamp', async () => {
      const v1 = repo.files.get('timestamp.json')!;
      repo.publish(target);
      await refreshTrustedRoot(options);
      repo.files.set('timestamp.json', v1); // freeze at an older version
      expect((await failureOf(refreshTrustedRoot(options))).code).toBe(
        'TRUST_METADATA_ROLLBACK',
      );
    });

    it('throws TRUST_METADATA_ROLLBACK for a snapshot of another version (mix and match)', async () => {
      const oldSnapshot = repo.files.get('1.snapshot.json')!;
      repo.publish(target);
      repo.files.set('2.snapshot.json', oldSnapshot);
      expect((await failureOf(refreshTrustedRoot(options))).code).toBe(
        'TRUST_METADATA_ROLLBACK',
      );
    });

    it('throws for targets of another version than the snapshot names', async () => {
      const oldTargets = repo.files.get('1.targets.json')!;
      repo.publish(target);
      repo.files.set('2.targets.json', oldTargets);
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_METADATA_ROLLBACK');
    });

    it('throws for a root N+1 that holds version N', async () => {
      repo.files.set('2.root.json', repo.initialRoot);
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_METADATA_ROLLBACK');
    });
  });

  describe('when the mirror sends endless or huge data', () => {
    it('stops reading an endless timestamp at its size limit', async () => {
      mirror.handlers.set(
        'timestamp.json',
        drip(Buffer.alloc(64 * 1024, 32), 1),
      );
      const started = Date.now();
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_METADATA_INVALID');
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('stops reading an endless next root at its size limit', async () => {
      mirror.handlers.set('2.root.json', drip(Buffer.alloc(64 * 1024, 32), 1));
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_METADATA_INVALID');
    });

    it('stops inflating a gzip bomb at the size limit', async () => {
      const bomb = gzipSync(Buffer.alloc(64 << 20));
      mirror.handlers.set('timestamp.json', (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      });
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_METADATA_INVALID');
    });

    it('refuses a target signed as larger than a trusted root can be', async () => {
      const huge = Buffer.alloc(5 * 1024 * 1024, 32);
      repo.publish(huge);
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_TARGET_INVALID');
      expect(mirror.requests).not.toContain(repo.targetPath(huge));
    });
  });

  describe('when the mirror drips its answer slowly', () => {
    it('gives up after the timeout as TRUST_MIRROR_UNREACHABLE', async () => {
      mirror.handlers.set('timestamp.json', drip(Buffer.from(' '), 100));
      const started = Date.now();
      const error = await failureOf(
        refreshTrustedRoot({ ...options, timeoutMs: 400 }),
      );
      expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
      expect(error.message).toContain('timestamp.json');
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('when the targets name a path that climbs out', () => {
    it('finds no trusted root and writes nothing outside the cache', async () => {
      repo.publish(target, { targetName: '../../trusted_root.json' });
      const error = await failureOf(refreshTrustedRoot(options));
      expect(error.code).toBe('TRUST_TARGET_MISSING');
      expect((await readdir(dir)).sort()).toEqual(['cache', 'root.json']);
    });
  });
});
