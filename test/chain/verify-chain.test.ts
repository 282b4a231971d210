import { appendFile, cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Finding } from '../../src/chain/findings.js';
import { verifyChain } from '../../src/chain/verify-chain.js';
import { validatePolicy, type Policy } from '../../src/policy/policy.js';
import { startStandIn } from '../../src/testing/index.js';
import { loadTrustedRoot } from '../../src/verify/index.js';
import { WHO, chainFixture, digestOf, type ChainFixture } from './fixture.js';

let fx: ChainFixture;
let policy: Policy;

// upstream/ -> export -> exported/ -> quantize -> quantized/ -> repackage -> model/
beforeAll(async () => {
  fx = await chainFixture();
  await fx.write({
    'upstream/weights.bin': 'float32 weights',
    'upstream/config.json': '{"layers":2}',
  });
  await fx.attest(WHO.exporter, 'export', [{ path: 'upstream' }], 'exported', {
    'model.safetensors': 'exported weights',
    'config.json': '{"layers":2,"format":"safetensors"}',
  });
  await fx.attest(
    WHO.quantizer,
    'quantize',
    [{ path: 'exported' }],
    'quantized',
    {
      'model.safetensors': 'int8 weights',
      'config.json': '{"layers":2,"bits":8}',
    },
  );
  await fx.attest(WHO.releaser, 'repackage', [{ path: 'quantized' }], 'model', {
    'model.safetensors': 'int8 weights',
    'config.json': '{"layers":2,"bits":8}',
    'README.md': '# card',
  });
  policy = fx.policy([
    await digestOf(fx, 'upstream/weights.bin'),
    await digestOf(fx, 'upstream/config.json'),
  ]);
});
afterAll(async () => fx.close());

function verify(
  modelDir: string,
  p: Policy = policy,
  root = fx.standIn.trustedRoot,
) {
  return verifyChain({
    modelPath: join(fx.dir, modelDir),
    policy: p,
    trustedRoot: loadTrustedRoot(root),
  });
}

async function copyModel(name: string): Promise<string> {
  await cp(join(fx.dir, 'model'), join(fx.dir, name), { recursive: true });
  return name;
}

const codes = (findings: Finding[]) =>
  findings.filter((f) => f.severity === 'error').map((f) => f.code);

describe('#verifyChain', () => {
  describe('when the chain is intact', () => {
    it('returns verified with the three steps, producers first', async () => {
      const result = await verify('model');
      expect(codes(result.findings)).toEqual([]);
      expect(result.verified).toBe(true);
      expect(result.steps.map((s) => s.kind)).toEqual([
        'export',
        'quantize',
        'repackage',
      ]);
      expect(result.steps[0]?.signer.identity).toBe(WHO.exporter);
      expect(result.steps[0]?.inputs.every((i) => i.from.kind === 'root')).toBe(
        true,
      );
      expect(result.steps[2]?.inputs.every((i) => i.from.kind === 'step')).toBe(
        true,
      );
    });
  });

  describe('when one byte of a file changed after the last step', () => {
    it('returns FILE_MODIFIED naming the file, the step and both digests', async () => {
      const dir = await copyModel('tampered');
      await appendFile(join(fx.dir, dir, 'model.safetensors'), 'x');
      const result = await verify(dir);
      expect(result.verified).toBe(false);
      const f = result.findings.find((x) => x.code === 'FILE_MODIFIED');
      expect(f).toMatchObject({
        file: 'model.safetensors',
        step: 'repackage',
        signer: { identity: WHO.releaser },
      });
      expect(f?.expected).not.toBe(f?.actual);
    });
  });

  describe('when a file was added or removed', () => {
    it('returns FILE_UNATTESTED and FILE_MISSING', async () => {
      const dir = await copyModel('changed-set');
      await writeFile(join(fx.dir, dir, 'loader.py'), 'import os');
      await rm(join(fx.dir, dir, 'README.md'));
      const result = await verify(dir);
      expect(codes(result.findings).sort()).toEqual([
        'FILE_MISSING',
        'FILE_UNATTESTED',
      ]);
    });
  });

  describe('when a step is signed by an identity the policy does not allow', () => {
    it('returns SIGNER_NOT_ALLOWED naming the step and the signer', async () => {
      await fx.attest(
        WHO.intruder,
        'quantize',
        [{ path: 'exported' }],
        'rogue-q',
        {
          'model.safetensors': 'backdoored int8 weights',
        },
      );
      await fx.attest(
        WHO.releaser,
        'repackage',
        [{ path: 'rogue-q' }],
        'rogue-model',
        {
          'model.safetensors': 'backdoored int8 weights',
        },
      );
      const result = await verify('rogue-model');
      expect(result.verified).toBe(false);
      expect(result.findings).toContainEqual(
        expect.objectContaining({
          code: 'SIGNER_NOT_ALLOWED',
          step: 'quantize',
          signer: expect.objectContaining({
            identity: WHO.intruder,
          }) as unknown,
        }),
      );
      expect(codes(result.findings)).toContain('INPUT_FROM_UNTRUSTED_STEP');
    });
  });

  describe('when an input is neither produced by a step nor a root', () => {
    it('returns INPUT_UNRESOLVED for each input of the first step', async () => {
      const result = await verify('model', fx.policy([]));
      const gaps = result.findings.filter((f) => f.code === 'INPUT_UNRESOLVED');
      expect(gaps.map((g) => g.file).sort()).toEqual([
        'config.json',
        'weights.bin',
      ]);
      expect(gaps.every((g) => g.step === 'export')).toBe(true);
      expect(result.verified).toBe(false);
    });
  });

  describe('when a required step kind is missing', () => {
    it('returns STEP_MISSING', async () => {
      const strict = fx.policy([], {
        'adapter-attach': {
          required: true,
          signers: [{ issuer: fx.standIn.issuer, identity: WHO.exporter }],
        },
      });
      const result = await verify('model', { ...strict, roots: policy.roots });
      expect(codes(result.findings)).toEqual(['STEP_MISSING']);
    });
  });

  describe('when the trusted root is another one', () => {
    it('returns ATTESTATION_UNVERIFIED for every attestation and fails', async () => {
      const other = await startStandIn();
      try {
        const result = await verify('model', policy, other.trustedRoot);
        expect(result.verified).toBe(false);
        const found = new Set(codes(result.findings));
        expect([...found].sort()).toEqual([
          'ATTESTATION_UNVERIFIED',
          'NO_ATTESTATION_FOR_MODEL',
        ]);
        expect(result.steps).toEqual([]);
      } finally {
        await other.close();
      }
    });
  });

  describe('when the store is empty', () => {
    it('returns NO_ATTESTATION_FOR_MODEL', async () => {
      await fx.write({ 'bare/model.safetensors': 'int8 weights' });
      const result = await verify('bare');
      expect(codes(result.findings)).toEqual(['NO_ATTESTATION_FOR_MODEL']);
      expect(result.verified).toBe(false);
    });
  });

  describe('when a stored attestation is garbage', () => {
    it('returns ATTESTATION_MALFORMED and fails', async () => {
      const dir = await copyModel('garbage');
      await writeFile(
        join(fx.dir, dir, '.mprov/attestations/x.sigstore.json'),
        '{"mediaType":1}',
      );
      const result = await verify(dir);
      expect(codes(result.findings)).toEqual(['ATTESTATION_MALFORMED']);
      expect(result.verified).toBe(false);
    });
  });

  describe('when the policy orders the kinds', () => {
    const ordered = (after: Record<string, string[]>, final: string[]) =>
      validatePolicy({
        ...policy,
        final,
        steps: Object.fromEntries(
          Object.entries(policy.steps).map(([kind, rule]) => [
            kind,
            { ...rule, after: after[kind] ?? [] },
          ]),
        ),
      });

    it('returns verified when every step follows what it may follow', async () => {
      const p = ordered(
        { export: [], quantize: ['export'], repackage: ['quantize'] },
        ['repackage'],
      );
      expect((await verify('model', p)).verified).toBe(true);
    });

    it('returns STEP_OUT_OF_ORDER for a step after a kind it may not follow', async () => {
      const p = ordered({ export: [], quantize: [], repackage: ['quantize'] }, [
        'repackage',
      ]);
      const result = await verify('model', p);
      expect(codes(result.findings)).toEqual(['STEP_OUT_OF_ORDER']);
      expect(result.findings[0]?.step).toBe('quantize');
    });

    it('returns STEP_OUT_OF_ORDER when the last step may not be last', async () => {
      const p = ordered(
        { export: [], quantize: ['export'], repackage: ['quantize'] },
        ['export'],
      );
      const result = await verify('model', p);
      expect(codes(result.findings)).toEqual(['STEP_OUT_OF_ORDER']);
      expect(result.findings[0]?.step).toBe('repackage');
    });
  });

  describe('when the policy pins a release', () => {
    it('returns RELEASE_MISMATCH for another version or digest', async () => {
      const pinned = validatePolicy({
        ...policy,
        release: { version: '2.0.0', sha256: 'b'.repeat(64) },
      });
      const result = await verify('model', pinned);
      expect(codes(result.findings)).toEqual([
        'RELEASE_MISMATCH',
        'RELEASE_MISMATCH',
      ]);
      const exact = validatePolicy({
        ...policy,
        release: { sha256: result.model.rootDigest },
      });
      expect((await verify('model', exact)).verified).toBe(true);
    });
  });
});
