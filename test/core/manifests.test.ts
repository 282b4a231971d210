/**
 * The core on steps that name their files by manifest (large models): the
 * manifests are given in memory beside the bundles, found by digest.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { attestStep } from '../../src/attest/attest-step.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import {
  loadTrustedRoot,
  verifyChainInMemory,
  type InMemoryChainOptions,
} from '../../src/core/index.js';
import { digestModel, sha256File } from '../../src/digest/index.js';
import { validatePolicy } from '../../src/policy/policy.js';
import { keylessSigner } from '../../src/signing/index.js';
import { ManifestStore } from '../../src/store/manifests.js';
import { AttestationStore } from '../../src/store/store.js';
import { startStandIn, type StandIn } from '../../src/testing/index.js';

const WHO = 'packager@example.com';
let standIn: StandIn;
let dir: string;
let options: InMemoryChainOptions;
let manifests: Uint8Array[];

// upstream/ -> repackage (statement names a manifest) -> model/
beforeAll(async () => {
  standIn = await startStandIn();
  dir = await mkdtemp(join(tmpdir(), 'mprov-core-manifest-'));
  await mkdir(join(dir, 'upstream'));
  await mkdir(join(dir, 'model'));
  await writeFile(join(dir, 'upstream', 'weights.bin'), 'weights');
  await writeFile(join(dir, 'model', 'model.safetensors'), 'packed weights');
  await attestStep({
    kind: 'repackage',
    inputs: [{ path: join(dir, 'upstream') }],
    output: join(dir, 'model'),
    parameters: { format: 'safetensors-bundle', targetRuntime: 'onnxruntime' },
    builderId: 'https://ci.example.com/test',
    manifestSubject: 'always',
    signer: keylessSigner({
      fulcioURL: standIn.fulcioURL,
      rekorURL: standIn.rekorURL,
      tsaServerURL: standIn.tsaURL,
      identityToken: await standIn.mintToken(WHO),
    }),
  });
  const model = join(dir, 'model');
  const store = ManifestStore.forModel(model);
  const digests = await store.digests();
  manifests = (await Promise.all(digests.map((d) => store.read(d)))).filter(
    (m) => m !== undefined,
  );
  const manifest = await digestModel(model);
  options = {
    bundles: (await AttestationStore.forModel(model).list()).map(
      (s) => s.bytes,
    ),
    files: manifest.entries.map((e) => ({ name: e.path, sha256: e.sha256 })),
    manifests,
    policy: validatePolicy({
      version: 1,
      steps: {
        repackage: {
          required: true,
          signers: [{ issuer: standIn.issuer, identity: WHO }],
        },
      },
      roots: [
        { sha256: await sha256File(join(dir, 'upstream', 'weights.bin')) },
      ],
    }),
    trustedRoot: loadTrustedRoot(standIn.trustedRoot),
  };
});
afterAll(async () => {
  await standIn?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('#verifyChainInMemory with manifests', () => {
  it('has a step that names its files by manifest', () => {
    expect(manifests.length).toBeGreaterThan(0);
  });

  it('returns verified, as verifyChain does for the folder', async () => {
    const result = await verifyChainInMemory(options);
    expect(result.verified).toBe(true);
    const onDisk = await verifyChain({
      modelPath: join(dir, 'model'),
      policy: options.policy,
      trustedRoot: options.trustedRoot,
    });
    expect(result).toEqual({
      ...onDisk,
      model: { ...onDisk.model, path: 'model' },
    });
  });

  it('returns MANIFEST_MISSING without the manifests', async () => {
    const result = await verifyChainInMemory({ ...options, manifests: [] });
    expect(result.verified).toBe(false);
    expect(result.findings.map((f) => f.code)).toContain('MANIFEST_MISSING');
  });

  it('throws DIGEST_MALFORMED for a manifest that is neither bytes nor text', async () => {
    await expect(
      verifyChainInMemory({ ...options, manifests: [{}] as never }),
    ).rejects.toMatchObject({ code: 'DIGEST_MALFORMED' });
  });
});
