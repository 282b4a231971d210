import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { validatePolicy, type Policy } from '../../src/policy/policy.js';
import {
  EXPORTED,
  ID,
  QUANTIZED,
  ROOTS,
  UPSTREAM,
  descs,
  errors,
  startLab,
  statement,
  type Files,
  type Lab,
} from '../adversarial/helpers.js';

let lab: Lab;
let policy: Policy;
beforeAll(async () => {
  lab = await startLab();
  const rule = (identity: string) => ({
    signers: [{ issuer: lab.standIn.issuer, identity }],
    required: true,
  });
  policy = validatePolicy({
    version: 1,
    steps: { export: rule(ID.exporter), quantize: rule(ID.quantizer) },
    roots: ROOTS.map((sha256) => ({ sha256 })),
    final: ['quantize'],
  });
});
afterAll(async () => lab.close());

type Digests = Record<string, string>;
type Statement = ReturnType<typeof statement>;
const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

/** Adds digests to the descriptors of `list` named `name`. */
function addDigests(
  st: Statement,
  list: 'subject' | 'inputs',
  name: string,
  extra: Digests,
): Statement {
  const predicate = st.predicate as {
    buildDefinition: { resolvedDependencies: { name: string }[] };
  };
  const descriptors = (
    list === 'subject'
      ? st.subject
      : predicate.buildDefinition.resolvedDependencies
  ) as { name: string; digest: Digests }[];
  const d = descriptors.find((x) => x.name === name);
  if (d === undefined) throw new Error(`no descriptor ${name}`);
  d.digest = { ...d.digest, ...extra };
  return st;
}

/**
 * Signs root -> export -> quantize into `model`; `edit` changes the export
 * statement's outputs and the quantize statement's inputs.
 */
async function chain(
  model: string,
  edit: { exported?: Digests; consumed?: Digests; outputs?: Files } = {},
) {
  const name = 'model.safetensors';
  let exported = statement({
    kind: 'export',
    inputs: descs(UPSTREAM),
    outputs: descs(EXPORTED),
  });
  if (edit.exported)
    exported = addDigests(exported, 'subject', name, edit.exported);
  let quantized = statement({
    kind: 'quantize',
    inputs: descs(EXPORTED),
    outputs: descs(edit.outputs ?? QUANTIZED),
  });
  if (edit.consumed)
    quantized = addDigests(quantized, 'inputs', name, edit.consumed);
  await lab.attest(model, ID.exporter, exported);
  await lab.attest(model, ID.quantizer, quantized);
  await lab.write(model, QUANTIZED);
  return lab.verify(model, policy);
}

const exportedWeights = EXPORTED['model.safetensors'] ?? '';

describe('verifyChain with digest sets of several algorithms', () => {
  it('verifies when every shared algorithm agrees (control)', async () => {
    const both = { sha512: sha512(exportedWeights) };
    const result = await chain('agree', { exported: both, consumed: both });
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it('verifies when only the producer names another algorithm', async () => {
    const result = await chain('one-sided', {
      exported: { sha512: sha512(exportedWeights) },
    });
    expect(result.verified).toBe(true);
  });

  it('refuses a link whose sha256 agrees but sha512 differs, naming both', async () => {
    const made = sha512(exportedWeights);
    const claimed = sha512('other bytes');
    const result = await chain('sha512-differs', {
      exported: { sha512: made },
      consumed: { sha512: claimed },
    });
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toEqual([
      'DIGEST_MISMATCH',
      'INPUT_UNRESOLVED',
    ]);
    const found = result.findings.find((f) => f.code === 'DIGEST_MISMATCH');
    expect(found).toMatchObject({
      step: 'quantize',
      file: 'model.safetensors',
      expected: `sha512:${made}`,
      actual: `sha512:${claimed}`,
    });
  });

  it('refuses a link when a shared weak algorithm differs', async () => {
    const result = await chain('sha1-differs', {
      exported: { sha1: '1'.repeat(40) },
      consumed: { sha1: '2'.repeat(40) },
    });
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('DIGEST_MISMATCH');
  });

  it('refuses a link when a shared unknown algorithm differs', async () => {
    const result = await chain('unknown-differs', {
      exported: { 'x-hash': 'one' },
      consumed: { 'x-hash': 'two' },
    });
    expect(errors(result.findings)).toContain('DIGEST_MISMATCH');
  });

  it('refuses a subject known only by sha1: weak alone is never enough', async () => {
    const st = statement({
      kind: 'quantize',
      inputs: descs(EXPORTED),
      outputs: descs(QUANTIZED),
    });
    for (const s of st.subject as { digest: Digests }[]) {
      s.digest = { sha1: '3'.repeat(40) };
    }
    await lab.attest('sha1-only', ID.quantizer, st);
    await lab.write('sha1-only', QUANTIZED);
    const result = await lab.verify('sha1-only', policy);
    expect(result.verified).toBe(false);
    const invalid = result.findings.find((f) => f.code === 'STATEMENT_INVALID');
    expect(invalid?.message).toContain('sha256');
  });

  it('refuses a subject whose sha256 is upper-case hex', async () => {
    const st = statement({
      kind: 'quantize',
      inputs: descs(EXPORTED),
      outputs: descs(QUANTIZED),
    });
    for (const s of st.subject as { digest: Digests }[]) {
      s.digest = { sha256: (s.digest.sha256 ?? '').toUpperCase() };
    }
    await lab.attest('upper', ID.quantizer, st);
    await lab.write('upper', QUANTIZED);
    const result = await lab.verify('upper', policy);
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
    expect(result.findings[0]?.message).toContain('lower-case hex');
  });
});
