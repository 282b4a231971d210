import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import { digestModel } from '../../src/digest/index.js';
import { signModel } from '../../src/interop/index.js';
import type { Policy } from '../../src/policy/policy.js';
import { keylessSigner } from '../../src/signing/index.js';
import { PAYLOAD_TYPE } from '../../src/statement/index.js';
import { buildStepStatement } from '../../src/steps/index.js';
import { AttestationStore } from '../../src/store/store.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, digestOf, type ChainFixture } from './fixture.js';

let fx: ChainFixture;
let policy: Policy;
beforeAll(async () => {
  fx = await chainFixture();
  await fx.write({ 'up/w.bin': 'w0', 'other-up/w.bin': 'x0' });
  await fx.attest(WHO.exporter, 'export', [{ path: 'up' }], 'm', {
    'w.bin': 'w1',
  });
  await fx.attest(WHO.exporter, 'export', [{ path: 'other-up' }], 'other', {
    'x.bin': 'x1',
  });
  policy = fx.policy([
    await digestOf(fx, 'up/w.bin'),
    await digestOf(fx, 'other-up/w.bin'),
  ]);
  policy = { ...policy, steps: { export: policy.steps.export } };
});
afterAll(async () => fx.close());

const verify = (model: string) =>
  verifyChain({
    modelPath: join(fx.dir, model),
    policy,
    trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
  });

describe('#verifyChain reporting what is off the path', () => {
  describe('when the store also holds a trusted attestation of other files', () => {
    it('returns verified, with ATTESTATION_OFF_PATH as info naming it', async () => {
      const from = join(fx.dir, 'other/.mprov/attestations');
      const [name] = await readdir(from);
      await cp(join(from, name), join(fx.dir, 'm/.mprov/attestations', name));
      const result = await verify('m');
      expect(result.verified).toBe(true);
      const off = result.findings.filter(
        (f) => f.code === 'ATTESTATION_OFF_PATH',
      );
      expect(off).toHaveLength(1);
      expect(off[0]).toMatchObject({
        severity: 'info',
        step: 'export',
        attestation: name.replace('.sigstore.json', ''),
      });
    });
  });

  describe('when the last step names another bundle digest than its files make', () => {
    it('returns BUNDLE_DIGEST_MISMATCH with both digests', async () => {
      await fx.write({ 'b/w.bin': 'w1' });
      const files = await digestModel(join(fx.dir, 'b'));
      const statement = buildStepStatement({
        kind: 'export',
        outputs: files.entries.map((e) => ({ name: e.path, sha256: e.sha256 })),
        bundle: { name: 'b', rootDigest: 'f'.repeat(64) },
        inputs: [{ name: 'w.bin', sha256: await digestOf(fx, 'up/w.bin') }],
        parameters: { sourceFormat: 'a', targetFormat: 'b' },
        builderId: 'https://ci.example.com/buggy-exporter',
      });
      const signer = keylessSigner({
        fulcioURL: fx.standIn.fulcioURL,
        rekorURL: fx.standIn.rekorURL,
        identityToken: await fx.standIn.mintToken(WHO.exporter),
      });
      const bundle = await signer.signDsse(
        Buffer.from(JSON.stringify(statement)),
        PAYLOAD_TYPE,
      );
      await AttestationStore.forModel(join(fx.dir, 'b')).add(
        Buffer.from(JSON.stringify(bundle)),
      );
      const result = await verify('b');
      expect(result.verified).toBe(false);
      expect(result.findings).toEqual([
        expect.objectContaining({
          code: 'BUNDLE_DIGEST_MISMATCH',
          expected: 'f'.repeat(64),
          actual: files.rootDigest,
        }),
      ]);
    });
  });

  describe('when a model.sig by the same signer names another bundle', () => {
    it('returns OMS_SUBJECT_MISMATCH with both digests', async () => {
      await fx.write({ 'o/w.bin': 'w1' });
      await fx.attest(WHO.exporter, 'export', [{ path: 'up' }], 'o');
      await fx.write({ 'o/extra.txt': 'added after the step' });
      const signer = keylessSigner({
        fulcioURL: fx.standIn.fulcioURL,
        rekorURL: fx.standIn.rekorURL,
        identityToken: await fx.standIn.mintToken(WHO.exporter),
      });
      const sig = join(fx.dir, 'o/.mprov/model.sig');
      const { bundle } = await signModel(join(fx.dir, 'o'), {
        kind: 'sigstore',
        signer,
      });
      await writeFile(sig, JSON.stringify(bundle));
      const result = await verifyChain({
        modelPath: join(fx.dir, 'o'),
        policy,
        trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
        omsSignature: sig,
      });
      const codes = result.findings.map((f) => f.code);
      expect(codes).toEqual(['FILE_UNATTESTED', 'OMS_SUBJECT_MISMATCH']);
      const mismatch = result.findings[1];
      expect(mismatch?.expected).toBe(result.steps.at(-1)?.bundle?.rootDigest);
      expect(mismatch?.actual).toBe(result.model.rootDigest);
    });
  });
});

describe('#verifyChain when a step changed no file', () => {
  it('says in ATTESTATION_OFF_PATH why the step is not on the path', async () => {
    await fx.write({ 'pt-up/w.bin': 'same bytes' });
    await fx.attest(WHO.exporter, 'export', [{ path: 'pt-up' }], 'pt-exp', {
      'w.bin': 'same bytes',
    });
    await fx.attest(WHO.quantizer, 'quantize', [{ path: 'pt-exp' }], 'pt-q', {
      'w.bin': 'int8',
    });
    const all = fx.policy([await digestOf(fx, 'pt-up/w.bin')]);
    const { export: exp, quantize } = all.steps;
    const result = await verifyChain({
      modelPath: join(fx.dir, 'pt-q'),
      policy: { ...all, steps: { export: exp, quantize } },
      trustedRoot: loadTrustedRoot(fx.standIn.trustedRoot),
    });
    expect(result.verified).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ code: 'STEP_MISSING', step: 'export' }),
    );
    const off = result.findings.find((f) => f.code === 'ATTESTATION_OFF_PATH');
    expect(off?.step).toBe('export');
    expect(off?.message).toContain('its own inputs unchanged');
  });
});
