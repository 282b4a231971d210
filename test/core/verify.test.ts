import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import {
  MAX_BUNDLE_BYTES,
  loadTrustedRoot,
  verifyChainInMemory,
  type InMemoryChainOptions,
} from '../../src/core/index.js';
import { rootDigest } from '../../src/digest/index.js';
import { MAX_ATTESTATION_BYTES } from '../../src/store/store.js';
import {
  changedDigest,
  signChain,
  withBadSignature,
  type SignedChain,
} from './chain.js';

let chain: SignedChain;
let options: InMemoryChainOptions;

beforeAll(async () => {
  chain = await signChain();
  const { bundles, files, policy, trustedRoot } = chain.inputs;
  options = {
    bundles,
    files,
    policy,
    trustedRoot: loadTrustedRoot(trustedRoot),
    modelName: 'model',
  };
});
afterAll(async () => chain.fx.close());

const errorCodes = (r: { findings: { code: string; severity: string }[] }) =>
  r.findings.filter((f) => f.severity === 'error').map((f) => f.code);

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

describe('#verifyChainInMemory', () => {
  describe('when the chain is intact', () => {
    it('returns verified with the three steps, producers first', async () => {
      const result = await verifyChainInMemory(options);
      expect(errorCodes(result)).toEqual([]);
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => s.kind)).toEqual([
        'export',
        'quantize',
        'repackage',
      ]);
    });

    it('returns what verifyChain returns for the folder', async () => {
      const inMemory = await verifyChainInMemory(options);
      const onDisk = await verifyChain({
        modelPath: chain.modelDir,
        policy: options.policy,
        trustedRoot: options.trustedRoot,
      });
      expect(inMemory).toEqual({
        ...onDisk,
        model: { ...onDisk.model, path: 'model' },
      });
    });

    it('takes bundles as bytes, in any order and repeated', async () => {
      const bytes = options.bundles.map((b) =>
        new TextEncoder().encode(String(b)),
      );
      const result = await verifyChainInMemory({
        ...options,
        bundles: [...bytes].reverse().concat(bytes[0] ?? []),
      });
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => s.attestation).sort()).toEqual(
        options.bundles.map((b) => sha256(String(b))).sort(),
      );
    });

    it('takes files as a list and names the root digest as digestModel does', async () => {
      const list = Object.entries(chain.inputs.files).map(([name, sha]) => ({
        name,
        sha256: sha,
      }));
      const result = await verifyChainInMemory({ ...options, files: list });
      expect(result.verified).toBe(true);
      const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(result.model.rootDigest).toBe(rootDigest(sorted));
    });
  });

  describe('when the chain is broken', () => {
    it('returns FILE_MODIFIED for a changed file digest', async () => {
      const files = { ...chain.inputs.files };
      const was = files['model.safetensors'] ?? '';
      files['model.safetensors'] = changedDigest(was);
      const result = await verifyChainInMemory({ ...options, files });
      expect(result.verified).toBe(false);
      expect(errorCodes(result)).toContain('FILE_MODIFIED');
      const modified = result.findings.find((f) => f.code === 'FILE_MODIFIED');
      expect(modified).toMatchObject({
        file: 'model.safetensors',
        expected: was,
      });
    });

    it('returns ATTESTATION_UNVERIFIED for a changed signature', async () => {
      const [first = '', ...rest] = options.bundles.map(String);
      const bad = withBadSignature(first);
      const result = await verifyChainInMemory({
        ...options,
        bundles: [bad, ...rest],
      });
      expect(result.verified).toBe(false);
      const unverified = result.findings.filter(
        (f) => f.code === 'ATTESTATION_UNVERIFIED',
      );
      expect(unverified.map((f) => f.attestation)).toEqual([sha256(bad)]);
    });

    it('returns FILE_UNATTESTED for a file no step produced', async () => {
      const files = { ...chain.inputs.files, 'extra.bin': sha256('x') };
      const result = await verifyChainInMemory({ ...options, files });
      expect(errorCodes(result)).toEqual(['FILE_UNATTESTED']);
    });

    it('returns NO_ATTESTATION_FOR_MODEL without bundles', async () => {
      const result = await verifyChainInMemory({ ...options, bundles: [] });
      expect(result.verified).toBe(false);
      expect(errorCodes(result)).toEqual(['NO_ATTESTATION_FOR_MODEL']);
    });

    it('returns ATTESTATION_MALFORMED for text that is not a bundle', async () => {
      const result = await verifyChainInMemory({
        ...options,
        bundles: [...options.bundles, '{"a":1,"a":2}'],
      });
      expect(result.verified).toBe(false);
      expect(errorCodes(result)).toEqual(['ATTESTATION_MALFORMED']);
    });

    it('refuses a bundle over the store limit, as a finding', async () => {
      expect(MAX_BUNDLE_BYTES).toBe(MAX_ATTESTATION_BYTES);
      const huge = ' '.repeat(MAX_BUNDLE_BYTES) + '{}';
      const result = await verifyChainInMemory({
        ...options,
        bundles: [...options.bundles, huge],
      });
      expect(errorCodes(result)).toEqual(['ATTESTATION_MALFORMED']);
      expect(result.findings[0]?.attestation).toBe(sha256(huge));
    });
  });

  describe('when an input is invalid', () => {
    const cases: [string, Partial<InMemoryChainOptions>, string][] = [
      ['no file', { files: {} }, 'DIGEST_EMPTY_MODEL'],
      [
        'an upper-case digest',
        { files: { a: 'A'.repeat(64) } },
        'DIGEST_MALFORMED',
      ],
      ['a short digest', { files: { a: 'a'.repeat(63) } }, 'DIGEST_MALFORMED'],
      [
        'a path with ..',
        { files: { '../a': 'a'.repeat(64) } },
        'DIGEST_BAD_PATH',
      ],
      [
        'a path named twice',
        {
          files: [
            { name: 'a', sha256: 'a'.repeat(64) },
            { name: 'a', sha256: 'b'.repeat(64) },
          ],
        },
        'DIGEST_BAD_PATH',
      ],
      [
        'a policy without steps',
        { policy: { version: 1 } as never },
        'POLICY_INVALID',
      ],
      [
        'a raw trusted root',
        { trustedRoot: { digest: 'sha256:x' } },
        'VERIFY_TRUSTED_ROOT_INVALID',
      ],
      [
        'a parsed bundle',
        { bundles: [{}] as never },
        'VERIFY_BUNDLE_MALFORMED',
      ],
      [
        'bundles that are one bundle, not a list',
        { bundles: '{}' as never },
        'VERIFY_BUNDLE_MALFORMED',
      ],
      [
        'bundles that are an object',
        { bundles: { 0: '{}' } as never },
        'VERIFY_BUNDLE_MALFORMED',
      ],
      ['no bundles at all', { bundles: undefined }, 'VERIFY_BUNDLE_MALFORMED'],
      [
        'manifests that are one manifest, not a list',
        { manifests: new Uint8Array(2) as never },
        'DIGEST_MALFORMED',
      ],
      [
        'manifests that are null',
        { manifests: null as never },
        'DIGEST_MALFORMED',
      ],
    ];
    for (const [what, change, code] of cases) {
      it(`throws ${code} for ${what}`, async () => {
        await expect(
          verifyChainInMemory({ ...options, ...change }),
        ).rejects.toMatchObject({ code });
      });
    }
  });
});
