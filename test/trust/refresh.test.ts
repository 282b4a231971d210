import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from 'vitest';

import { TrustError } from '../../src/errors.js';
import { keylessSigner } from '../../src/signing/index.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';
import {
  refreshTrustedRoot,
  type RefreshOptions,
} from '../../src/trust/index.js';
import { verifyAttestation } from '../../src/verify/attestation.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { serveFiles, type FileServer } from './serve.js';
import { newKey, TufRepo } from './tuf-repo.js';

let standIn: StandIn;
let target: Buffer;
let dir: string;
let repo: TufRepo;
let server: FileServer;
let options: RefreshOptions;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrustError);
  expect((error as TrustError).message).toContain(server.url);
  return (error as TrustError).code;
}

beforeAll(async () => {
  standIn = await startStandIn();
  target = Buffer.from(JSON.stringify(standIn.trustedRoot));
});
afterAll(async () => {
  await standIn.close();
});

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
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('#refreshTrustedRoot', () => {
  describe('when the repository is sound', () => {
    it('returns the target as a trusted root that verifies a stand-in bundle', async () => {
      const refreshed = await refreshTrustedRoot(options);
      expect(refreshed.root.digest).toBe(
        loadTrustedRoot(standIn.trustedRoot).digest,
      );
      expect(refreshed.tufRootVersion).toBe(1);
      expect(refreshed.source).toMatch(
        new RegExp(
          `^tuf:${server.url} \\(root v1, fetched at \\d{4}-\\d\\d-\\d\\dT.*Z\\)$`,
        ),
      );
      expect(await readFile(refreshed.path)).toEqual(target);

      const signer = keylessSigner({
        fulcioURL: standIn.fulcioURL,
        rekorURL: standIn.rekorURL,
        identityToken: await standIn.mintToken('tuf@example.com'),
      });
      const payload = Buffer.from(
        '{"_type":"https://in-toto.io/Statement/v1"}',
      );
      const bundle = await signer.signDsse(
        payload,
        'application/vnd.in-toto+json',
      );
      const verified = await verifyAttestation(bundle, refreshed.root);
      expect(verified.signer.identity).toBe('tuf@example.com');
    });

    it('asks only its own server, in the TUF order', async () => {
      await refreshTrustedRoot(options);
      expect(server.requests).toEqual([
        '2.root.json',
        'timestamp.json',
        '1.snapshot.json',
        '1.targets.json',
        repo.targetPath(target),
      ]);
    });

    it('follows a root rotation signed by the old and new root keys', async () => {
      const oldRoot = repo.keys.root;
      repo.keys.root = newKey();
      repo.keys.timestamp = newKey();
      repo.addRoot([oldRoot, repo.keys.root]);
      repo.publish(target);
      const refreshed = await refreshTrustedRoot(options);
      expect(refreshed.tufRootVersion).toBe(2);
      expect(refreshed.source).toContain('(root v2,');
    });
  });

  describe('when the repository is broken or hostile', () => {
    it('throws TRUST_TARGET_MISMATCH for a tampered target', async () => {
      const tampered = Buffer.from(target);
      tampered[10] ^= 1;
      repo.files.set(repo.targetPath(target), tampered);
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_TARGET_MISMATCH',
      );
    });

    it('throws TRUST_METADATA_UNSIGNED for a timestamp signed by a wrong key', async () => {
      repo.publish(target, { timestampKey: newKey() });
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_METADATA_UNSIGNED',
      );
    });

    it('throws TRUST_METADATA_UNSIGNED for a snapshot signed by a wrong key', async () => {
      repo.publish(target, { snapshotKey: newKey() });
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_METADATA_UNSIGNED',
      );
    });

    it('throws TRUST_METADATA_UNSIGNED for a root v2 not signed by the v1 keys', async () => {
      repo.keys.root = newKey();
      repo.addRoot([repo.keys.root]);
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_METADATA_UNSIGNED',
      );
    });

    it('throws TRUST_METADATA_EXPIRED for an expired timestamp', async () => {
      repo.publish(target, { timestampDays: -1 });
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_METADATA_EXPIRED',
      );
    });

    it('throws TRUST_METADATA_ROLLBACK when the timestamp goes back a version', async () => {
      repo.publish(target);
      await refreshTrustedRoot(options);
      repo.publish(target, { version: 1 });
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_METADATA_ROLLBACK',
      );
    });

    it('throws TRUST_TARGET_MISSING when trusted_root.json is not listed', async () => {
      repo.publish(target, { targetName: 'other.json' });
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_TARGET_MISSING',
      );
    });

    it('throws TRUST_TARGET_INVALID for a signed target that is no trusted root', async () => {
      repo.publish(Buffer.from('{"mediaType":"not a root"}'));
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_TARGET_INVALID',
      );
    });

    it('throws TRUST_DOWNLOAD_FAILED for an HTTP error, with the status', async () => {
      server.statusFor.set('timestamp.json', 500);
      const promise = refreshTrustedRoot(options);
      expect(await codeOf(promise)).toBe('TRUST_DOWNLOAD_FAILED');
      await expect(promise).rejects.toThrow('HTTP 500 for timestamp.json');
    });

    it('throws TRUST_DOWNLOAD_FAILED when the snapshot is missing', async () => {
      repo.files.delete('1.snapshot.json');
      expect(await codeOf(refreshTrustedRoot(options))).toBe(
        'TRUST_DOWNLOAD_FAILED',
      );
    });
  });
}, 30_000);
