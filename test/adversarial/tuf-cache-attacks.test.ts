/**
 * Attacks on the TUF cache folder and the `offlineOk` fallback, and mirror
 * URLs that carry a secret. The mirror is served on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { mirrorCacheDir } from '../../src/trust/cache.js';
import {
  refreshTrustedRoot,
  type RefreshOptions,
} from '../../src/trust/index.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { runCaptured as cli } from '../cli/capture.js';
import { TESTDATA } from '../testdata.js';
import { failureOf } from '../trust/failure.js';
import { newKey, TufRepo } from '../trust/tuf-repo.js';
import { serveHostile, type HostileMirror } from './hostile-mirror.js';

const target = readFileSync(join(TESTDATA, 'public-good', 'trusted_root.json'));
const targetDigest = loadTrustedRoot(JSON.parse(target.toString())).digest;
const other = Buffer.from(
  JSON.stringify({ ...JSON.parse(target.toString()), ctlogs: [] }),
);

let dir: string;
let repo: TufRepo;
let mirror: HostileMirror;
let options: RefreshOptions;
let cacheDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-tuf-cache-'));
  repo = new TufRepo();
  repo.publish(target);
  mirror = await serveHostile(repo.files);
  const rootPath = join(dir, 'root.json');
  await writeFile(rootPath, repo.initialRoot);
  options = { mirrorUrl: mirror.url, cachePath: join(dir, 'cache'), rootPath };
  cacheDir = mirrorCacheDir(options.cachePath, mirror.url);
});
afterEach(async () => {
  await mirror.close();
  await rm(dir, { recursive: true, force: true });
});

/** Metadata of a second repository: well formed, signed by other keys. */
function forgedTimestamp(): Buffer {
  const forger = new TufRepo();
  forger.publish(other, { version: 9 });
  return forger.files.get('timestamp.json')!;
}

describe('#refreshTrustedRoot with a poisoned cache', () => {
  it('ignores a cached timestamp signed by other keys when the mirror answers', async () => {
    await refreshTrustedRoot(options);
    await writeFile(join(cacheDir, 'timestamp.json'), forgedTimestamp());
    const refreshed = await refreshTrustedRoot(options);
    expect(refreshed.root.digest).toBe(targetDigest);
  });

  it('with offlineOk and the mirror down, refuses a cache whose timestamp is forged', async () => {
    await refreshTrustedRoot(options);
    await writeFile(join(cacheDir, 'timestamp.json'), forgedTimestamp());
    mirror.handlers.set('2.root.json', (_q, res) => res.destroy());
    const error = await failureOf(
      refreshTrustedRoot({ ...options, offlineOk: true }),
    );
    expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
    expect(error.message).toContain('no usable cached copy');
  });

  it('with offlineOk and the mirror down, refuses a swapped cached target', async () => {
    const first = await refreshTrustedRoot(options);
    await writeFile(first.path, other);
    await mirror.close();
    const error = await failureOf(
      refreshTrustedRoot({ ...options, offlineOk: true }),
    );
    expect(error.code).toBe('TRUST_MIRROR_UNREACHABLE');
    expect(error.message).toContain('TRUST_TARGET_MISSING');
  });

  it('replaces a swapped cached target with the signed one', async () => {
    const first = await refreshTrustedRoot(options);
    await writeFile(first.path, other);
    const refreshed = await refreshTrustedRoot(options);
    expect(refreshed.root.digest).toBe(targetDigest);
    expect(await readFile(refreshed.path)).toEqual(target);
  });

  it('refuses a cached target that is a symlink, and writes nothing through it', async () => {
    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'not yours\n');
    await mkdir(join(cacheDir, 'targets'), { recursive: true });
    await symlink(victim, join(cacheDir, 'targets', 'trusted_root.json'));
    const error = await failureOf(refreshTrustedRoot(options));
    expect(error.code).toBe('TRUST_CACHE_FAILED');
    expect(await readFile(victim, 'utf8')).toBe('not yours\n');
  });

  it('refuses a cached root.json that is a symlink (to an endless device)', async () => {
    await mkdir(cacheDir, { recursive: true });
    await symlink('/dev/zero', join(cacheDir, 'root.json'));
    const error = await failureOf(refreshTrustedRoot(options));
    expect(error.code).toBe('TRUST_CACHE_FAILED');
  });

  it('refuses a mirror folder that is a symlink', async () => {
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await mkdir(options.cachePath);
    await symlink(elsewhere, cacheDir);
    const error = await failureOf(refreshTrustedRoot(options));
    expect(error.code).toBe('TRUST_CACHE_FAILED');
  });

  it('refuses cached metadata far larger than any TUF role', async () => {
    await refreshTrustedRoot(options);
    await writeFile(join(cacheDir, 'snapshot.json'), Buffer.alloc(8 << 20, 32));
    const error = await failureOf(refreshTrustedRoot(options));
    expect(error.code).toBe('TRUST_CACHE_FAILED');
  });
});

describe('#refreshTrustedRoot with offlineOk against a withholding mirror', () => {
  it('says so when it uses the cache because the mirror answers 503', async () => {
    await refreshTrustedRoot(options);
    mirror.handlers.set('timestamp.json', (_q, res) =>
      res.writeHead(503).end(),
    );
    const used = await refreshTrustedRoot({ ...options, offlineOk: true });
    expect(used.refreshFailure?.code).toBe('TRUST_DOWNLOAD_FAILED');
    expect(used.source).toMatch(/^tuf-cache:/);
  });

  it('refuses when the mirror shows a new timestamp, then withholds its snapshot', async () => {
    await refreshTrustedRoot(options);
    repo.publish(other);
    mirror.handlers.set('2.snapshot.json', (_q, res) =>
      res.writeHead(404).end(),
    );
    const error = await failureOf(
      refreshTrustedRoot({ ...options, offlineOk: true }),
    );
    expect(error.code).toBe('TRUST_DOWNLOAD_FAILED');
    expect(error.message).toContain('no usable cached copy');
  });

  it('never falls back for a root rotation signed by unknown keys', async () => {
    await refreshTrustedRoot(options);
    repo.keys.root = newKey();
    repo.addRoot([repo.keys.root]);
    const error = await failureOf(
      refreshTrustedRoot({ ...options, offlineOk: true }),
    );
    expect(error.code).toBe('TRUST_METADATA_UNSIGNED');
  });
});

describe('mirror URLs that carry a secret', () => {
  const secret = 's3cr3t-t0ken';
  it.each([
    [`http://user:${secret}@127.0.0.1:9`],
    [`http://${secret}@127.0.0.1:9`],
    [`http://127.0.0.1:9/?token=${secret}`],
    [`http://127.0.0.1:9/#${secret}`],
    [`http://u:${secret}@[::1`],
  ])('refuses %s without repeating it', async (mirrorUrl) => {
    const error = await failureOf(
      refreshTrustedRoot({ ...options, mirrorUrl }),
    );
    expect(error.code).toBe('TRUST_OPTIONS_INVALID');
    expect(error.message).not.toContain(secret);
    const run = await cli(
      'trust',
      'update',
      '--tuf-mirror',
      mirrorUrl,
      '--tuf-root',
      options.rootPath!,
      '--tuf-cache',
      options.cachePath,
    );
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });
});
