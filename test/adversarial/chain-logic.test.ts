import { cp, rename, rm, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { digestModel } from '../../src/digest/index.js';
import { validatePolicy } from '../../src/policy/policy.js';

import {
  EXPORTED,
  ID,
  QUANTIZED,
  RELEASED,
  ROOTS,
  UPSTREAM,
  descs,
  errors,
  legitChain,
  sha,
  startLab,
  statement,
  type Lab,
} from './helpers.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab();
  await legitChain(lab, 'good');
});
afterAll(async () => lab.close());

const copy = async (from: string, to: string) =>
  cp(lab.path(from), lab.path(to), { recursive: true });

describe('adversarial: chain logic', () => {
  it('baseline: the legitimate chain verifies', async () => {
    const result = await lab.verify('good', lab.policy(ROOTS));
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it('refuses files renamed onto each other (same digests, other names)', async () => {
    await copy('good', 'renamed');
    await rename(lab.path('renamed/README.md'), lab.path('renamed/loader.py'));
    const result = await lab.verify('renamed', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings).sort()).toEqual([
      'FILE_MISSING',
      'FILE_UNATTESTED',
    ]);
  });

  it('refuses a unicode look-alike of an attested name (Cyrillic a)', async () => {
    await copy('good', 'lookalike');
    await rm(lab.path('lookalike/README.md'));
    await writeFile(
      lab.path('lookalike/RE\u0410DME.md'),
      RELEASED['README.md'] ?? '',
    );
    const result = await lab.verify('lookalike', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('FILE_UNATTESTED');
    expect(errors(result.findings)).toContain('FILE_MISSING');
  });

  it('refuses a deployed intermediate output (quantize) with the full store', async () => {
    // A real signed step's output, but not a release: repackage, which
    // consumes it, is taken as the last step and README.md is missing.
    await copy('good', 'intermediate');
    await rm(lab.path('intermediate/README.md'));
    const result = await lab.verify('intermediate', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['FILE_MISSING']);
  });

  it('refuses a deployed intermediate output when later steps are required', async () => {
    // Same, with the repackage attestation dropped from the store.
    await copy('good', 'intermediate2');
    await rm(lab.path('intermediate2/README.md'));
    await rm(lab.path('intermediate2/.mprov'), { recursive: true });
    const q = statement({
      kind: 'quantize',
      inputs: descs(EXPORTED),
      outputs: descs(QUANTIZED),
    });
    const e = statement({
      kind: 'export',
      inputs: descs(UPSTREAM),
      outputs: descs(EXPORTED),
    });
    await lab.attest('intermediate2', ID.exporter, e);
    await lab.attest('intermediate2', ID.quantizer, q);
    const result = await lab.verify('intermediate2', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['STEP_MISSING']);
  });

  it('refuses a step whose only input is its own output (no root)', async () => {
    const files = { 'w.bin': 'self-made weights' };
    await lab.write('selfloop', files);
    await lab.attest(
      'selfloop',
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(files),
        outputs: descs(files),
      }),
    );
    const result = await lab.verify('selfloop', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('INPUT_UNRESOLVED');
  });

  it('refuses a cycle of two trusted steps that feed each other', async () => {
    const x = { 'x.bin': 'cycle x' };
    const y = { 'y.bin': 'cycle y' };
    const relIn = { 'y.bin': 'cycle y' };
    await lab.attest(
      'cycle',
      ID.quantizer,
      statement({ kind: 'quantize', inputs: descs(y), outputs: descs(x) }),
    );
    await lab.attest(
      'cycle',
      ID.exporter,
      statement({ kind: 'export', inputs: descs(x), outputs: descs(y) }),
    );
    const final = { 'final.bin': 'cycle final' };
    await lab.attest(
      'cycle',
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(relIn),
        outputs: descs(final),
      }),
    );
    await lab.write('cycle', final);
    const result = await lab.verify('cycle', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('CHAIN_CYCLE');
  });

  it('refuses two trusted producers claiming one output from different inputs', async () => {
    await copy('good', 'conflict');
    // A second export, by the allowed exporter, claiming the same outputs
    // from other (unpinned) inputs.
    await lab.attest(
      'conflict',
      ID.exporter,
      statement({
        kind: 'export',
        inputs: descs({ 'other.bin': 'attacker weights' }),
        outputs: descs(EXPORTED),
      }),
    );
    const result = await lab.verify('conflict', lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('CONFLICTING_PRODUCERS');
  });

  it('refuses a link to a producer signed by an identity not allowed for it', async () => {
    // Mallory signs the export step; everything else is legitimate.
    const model = 'mallory-export';
    await lab.attest(
      model,
      ID.mallory,
      statement({
        kind: 'export',
        inputs: descs(UPSTREAM),
        outputs: descs(EXPORTED),
      }),
    );
    await lab.attest(
      model,
      ID.quantizer,
      statement({
        kind: 'quantize',
        inputs: descs(EXPORTED),
        outputs: descs(QUANTIZED),
      }),
    );
    await lab.attest(
      model,
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(QUANTIZED),
        outputs: descs(RELEASED),
      }),
    );
    await lab.write(model, RELEASED);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('INPUT_FROM_UNTRUSTED_STEP');
    expect(errors(result.findings)).toContain('SIGNER_NOT_ALLOWED');
  });

  // Was a hole: with no order in the policy, an exporter could append a step
  // after the release. A policy that orders the kinds refuses it.
  it('refuses an export step appended after the repackage step by the exporter', async () => {
    await copy('good', 'appended');
    const evil = {
      'model.safetensors': 'backdoored weights',
      'README.md': '# card v1',
    };
    // Consumes the legitimate release, outputs the attacker's files.
    await lab.attest(
      'appended',
      ID.exporter,
      statement({
        kind: 'export',
        inputs: descs(RELEASED),
        outputs: descs(evil),
      }),
    );
    await rm(lab.path('appended/config.json'));
    await lab.write('appended', evil);
    const base = lab.policy(ROOTS);
    const after = { export: [], quantize: ['export'], repackage: ['quantize'] };
    const ordered = validatePolicy({
      ...base,
      final: ['repackage'],
      steps: Object.fromEntries(
        Object.entries(base.steps).map(([kind, rule]) => [
          kind,
          { ...rule, after: after[kind as keyof typeof after] },
        ]),
      ),
    });
    const result = await lab.verify('appended', ordered);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STEP_OUT_OF_ORDER');
  });

  // Was a hole: an older, genuinely signed release verified. A policy that
  // pins the release's bundle digest refuses it.
  it('refuses a rollback to an older signed release', async () => {
    const v0 = {
      exported: {
        'model.safetensors': 'exported weights v0',
        'config.json': '{"layers":2,"v":0}',
      },
      quantized: {
        'model.safetensors': 'int8 weights v0 (vulnerable)',
        'config.json': '{"layers":2,"bits":8,"v":0}',
      },
    };
    const released0 = { ...v0.quantized, 'README.md': '# card v0' };
    await legitChain(lab, 'v0', { ...v0, released: released0 });
    // The attacker ships the old files; the new release's store is kept too,
    // so even a verifier that sees the newer release is fooled.
    await copy('good', 'rollback');
    await rm(lab.path('rollback/README.md'));
    await rm(lab.path('rollback/model.safetensors'));
    await rm(lab.path('rollback/config.json'));
    await cp(lab.path('v0/.mprov'), lab.path('rollback/.mprov'), {
      recursive: true,
    });
    await lab.write('rollback', released0);
    const current = await digestModel(lab.path('good'));
    const pinned = validatePolicy({
      ...lab.policy(ROOTS),
      release: { sha256: current.rootDigest },
    });
    const result = await lab.verify('rollback', pinned);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('RELEASE_MISMATCH');
    expect((await lab.verify('good', pinned)).verified).toBe(true);
  });

  it('refuses a root pinned in the policy only by its digest, not by name', async () => {
    // The attacker names an unpinned input like the pinned one.
    const model = 'rootname';
    const fake = { 'weights.bin': 'attacker float32 weights' };
    await lab.attest(
      model,
      ID.exporter,
      statement({
        kind: 'export',
        inputs: descs(fake),
        outputs: descs(EXPORTED),
      }),
    );
    await lab.attest(
      model,
      ID.quantizer,
      statement({
        kind: 'quantize',
        inputs: descs(EXPORTED),
        outputs: descs(QUANTIZED),
      }),
    );
    await lab.attest(
      model,
      ID.releaser,
      statement({
        kind: 'repackage',
        inputs: descs(QUANTIZED),
        outputs: descs(RELEASED),
      }),
    );
    await lab.write(model, RELEASED);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['INPUT_UNRESOLVED']);
  });

  it('does not treat an input as produced by a tool annotation', async () => {
    // Export lists the real input as a tool; its only link is an unpinned file.
    const model = 'toolinput';
    await lab.attest(
      model,
      ID.exporter,
      statement({
        kind: 'export',
        inputs: [
          { ...descs(UPSTREAM)[0], annotations: { tool: true } },
          { name: 'evil.bin', sha256: sha('evil') },
        ],
        outputs: descs(RELEASED),
      }),
    );
    await lab.write(model, RELEASED);
    const result = await lab.verify(
      model,
      lab.policy(ROOTS, {
        export: {
          signers: [{ issuer: lab.standIn.issuer, identity: ID.exporter }],
        },
        quantize: {
          signers: [{ issuer: lab.standIn.issuer, identity: ID.quantizer }],
        },
        repackage: {
          signers: [{ issuer: lab.standIn.issuer, identity: ID.releaser }],
        },
      }),
    );
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual(['INPUT_UNRESOLVED']);
  });
});

describe('adversarial: robustness of linking', () => {
  // Was a false CONFLICTING_PRODUCERS / CHAIN_CYCLE before c5d2f9c (walk.ts
  // now links an input only to the steps that originated its digest).
  it('verifies a legitimate chain where config.json passes through unchanged', async () => {
    const model = 'unchanged';
    const config = { 'config.json': '{"unchanged":true}' };
    const exported = { 'model.safetensors': 'exp u', ...config };
    const quantized = { 'model.safetensors': 'q u', ...config };
    const released = { ...quantized, 'README.md': '# u' };
    await legitChain(lab, model, { exported, quantized, released });
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
  });
});
