import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { parseStrictJson } from '../../src/json/strict.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import type { CertificatePolicy } from '../../src/verify/bundle-policy.js';
import { publicGoodRoot } from '../../src/verify/public-good.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { BEACON, SUITE } from './conformance-cases.js';
import { TESTDATA } from './fixtures.js';

const NPM = join(TESTDATA, 'npm-provenance');
const TARBALL = join(NPM, 'sigstore-js-2.1.0.tgz');
const NPM_SIGNER: CertificatePolicy = {
  identity:
    'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};
const DSSE_CASE = join(SUITE, 'bundle-verify/happy-path-intoto-in-dsse-v3');
const A_TXT = join(SUITE, 'bundle-verify/a.txt');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerifyError);
  return (error as VerifyError).code;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mprov-bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('#verifyBundle', () => {
  describe('when given the real npm provenance of sigstore@2.1.0', () => {
    const npmRoot = async () =>
      loadTrustedRoot(
        parseStrictJson(await readFile(join(NPM, 'trusted_root.json'), 'utf8')),
      );

    for (const name of [
      'sigstore-js-2.1.0-bundle.json',
      'sigstore-js-2.1.0-bundle-v0.1.json',
    ]) {
      it(`returns the sha512 subject for ${name}`, async () => {
        const result = await verifyBundle({
          bundle: await readFile(join(NPM, name)),
          artifact: { path: TARBALL },
          policy: { certificate: NPM_SIGNER },
          trustedRoot: await npmRoot(),
        });
        expect(result.content).toBe('dsse');
        expect(result.subject).toEqual({
          name: 'pkg:npm/sigstore@2.1.0',
          algorithm: 'sha512',
        });
      });
    }

    it('verifies against the embedded public-good root too', async () => {
      const result = await verifyBundle({
        bundle: await readFile(join(NPM, 'sigstore-js-2.1.0-bundle.json')),
        artifact: { path: TARBALL },
        policy: { certificate: NPM_SIGNER },
      });
      expect(result.trustedRoot).toBe(publicGoodRoot().digest);
    });

    it('returns the CI extensions and accepts a policy on them', async () => {
      const result = await verifyBundle({
        bundle: await readFile(join(NPM, 'sigstore-js-2.1.0-bundle.json')),
        artifact: { path: TARBALL },
        policy: {
          certificate: {
            ...NPM_SIGNER,
            extensions: {
              sourceRepositoryURI: 'https://github.com/sigstore/sigstore-js',
              sourceRepositoryRef: 'refs/heads/main',
              runnerEnvironment: 'github-hosted',
              buildSignerURI: NPM_SIGNER.identity,
            },
          },
        },
      });
      expect(result.signer).toMatchObject({
        kind: 'certificate',
        extensions: { sourceRepositoryRef: 'refs/heads/main' },
      });
    });

    it('throws VERIFY_SUBJECT_MISMATCH when one byte of the tarball changes', async () => {
      const copy = join(dir, 'flipped.tgz');
      await copyFile(TARBALL, copy);
      const bytes = await readFile(copy);
      bytes[bytes.length >> 1] ^= 0x01;
      await writeFile(copy, bytes);
      const code = await codeOf(
        verifyBundle({
          bundle: await readFile(join(NPM, 'sigstore-js-2.1.0-bundle.json')),
          artifact: { path: copy },
          policy: { certificate: NPM_SIGNER },
        }),
      );
      expect(code).toBe('VERIFY_SUBJECT_MISMATCH');
    });

    it('throws VERIFY_SUBJECT_MISMATCH given only sha256 (the subject is sha512)', async () => {
      const code = await codeOf(
        verifyBundle({
          bundle: await readFile(join(NPM, 'sigstore-js-2.1.0-bundle.json')),
          artifact: { digest: `sha256:${'0'.repeat(64)}` },
          policy: { certificate: NPM_SIGNER },
        }),
      );
      expect(code).toBe('VERIFY_SUBJECT_MISMATCH');
    });
  });

  describe('when the signer does not match the policy', () => {
    const run = (certificate: CertificatePolicy) =>
      readFile(join(NPM, 'sigstore-js-2.1.0-bundle.json')).then((bundle) =>
        verifyBundle({
          bundle,
          artifact: { path: TARBALL },
          policy: { certificate },
        }),
      );

    it('throws VERIFY_ISSUER_MISMATCH for another issuer', async () => {
      const policy = { ...NPM_SIGNER, issuer: 'https://accounts.google.com' };
      expect(await codeOf(run(policy))).toBe('VERIFY_ISSUER_MISMATCH');
    });

    it('throws VERIFY_IDENTITY_MISMATCH for a pattern that matches only a prefix', async () => {
      const policy = {
        issuer: NPM_SIGNER.issuer,
        identityPattern: 'https://github\\.com/sigstore/',
      };
      expect(await codeOf(run(policy))).toBe('VERIFY_IDENTITY_MISMATCH');
    });

    it('returns the signer for an anchored pattern that matches all of it', async () => {
      const policy = {
        issuer: NPM_SIGNER.issuer,
        identityPattern: 'https://github\\.com/sigstore/sigstore-js/.*',
      };
      await expect(run(policy)).resolves.toMatchObject({ verified: true });
    });

    it('throws VERIFY_EXTENSION_MISMATCH for another ref', async () => {
      const policy = {
        ...NPM_SIGNER,
        extensions: { sourceRepositoryRef: 'refs/heads/evil' },
      };
      expect(await codeOf(run(policy))).toBe('VERIFY_EXTENSION_MISMATCH');
    });

    it('throws VERIFY_IDENTITY_RULE_INVALID for an unknown extension name', async () => {
      // As a caller in plain JavaScript could pass it.
      const extensions = {
        workflowRef: 'x',
      } as CertificatePolicy['extensions'];
      const policy = { ...NPM_SIGNER, extensions };
      expect(await codeOf(run(policy))).toBe('VERIFY_IDENTITY_RULE_INVALID');
    });
  });

  describe('when a DSSE bundle is checked', () => {
    const bundleJson = async () =>
      parseStrictJson(
        await readFile(join(DSSE_CASE, 'bundle.sigstore.json'), 'utf8'),
      ) as { dsseEnvelope: { signatures: unknown[] } };

    it('returns the payload and the matched subject', async () => {
      const result = await verifyBundle({
        bundle: await readFile(join(DSSE_CASE, 'bundle.sigstore.json')),
        artifact: { path: A_TXT },
        policy: { certificate: BEACON },
      });
      expect(result.subject).toEqual({ name: 'a.txt', algorithm: 'sha256' });
      expect(result.payloadType).toBe('application/vnd.in-toto+json');
    });

    it('throws VERIFY_SUBJECT_MISMATCH for a digest no subject has', async () => {
      const code = await codeOf(
        verifyBundle({
          bundle: await readFile(join(DSSE_CASE, 'bundle.sigstore.json')),
          artifact: { digest: `sha256:${'ab'.repeat(32)}` },
          policy: { certificate: BEACON },
        }),
      );
      expect(code).toBe('VERIFY_SUBJECT_MISMATCH');
    });

    it('throws VERIFY_SIGNATURE_COUNT for two signatures', async () => {
      const json = await bundleJson();
      const [first] = json.dsseEnvelope.signatures;
      json.dsseEnvelope.signatures = [first, first];
      const code = await codeOf(
        verifyBundle({
          bundle: JSON.stringify(json),
          artifact: { path: A_TXT },
          policy: { certificate: BEACON },
        }),
      );
      expect(code).toBe('VERIFY_SIGNATURE_COUNT');
    });

    it('throws VERIFY_BUNDLE_MALFORMED for a duplicate key', async () => {
      const text = await readFile(
        join(DSSE_CASE, 'bundle.sigstore.json'),
        'utf8',
      );
      const doubled = text.replace('{', '{"mediaType":"x",');
      const code = await codeOf(
        verifyBundle({
          bundle: doubled,
          artifact: { path: A_TXT },
          policy: { certificate: BEACON },
        }),
      );
      expect(code).toBe('VERIFY_BUNDLE_MALFORMED');
    });
  });
});
