import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyChain } from '../../src/chain/verify-chain.js';
import type { Policy } from '../../src/policy/policy.js';
import { renderJson } from '../../src/report/json.js';
import {
  ID,
  PARAMS,
  RELEASED,
  ROOTS,
  descs,
  errors,
  legitChain,
  sha,
  startLab,
  statement,
  type Desc,
  type Lab,
} from './helpers.js';

let lab: Lab;
let n = 0;

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => lab.close());

/** A fresh model holding RELEASED and one attestation signed as `who`. */
async function single(
  who: string,
  payload: Buffer | Record<string, unknown>,
  opts?: { payloadType?: string },
): Promise<string> {
  const model = `m${++n}`;
  await lab.write(model, RELEASED);
  await lab.attest(model, who, payload, opts);
  return model;
}

const repackage = (outputs: Desc[], inputs: Desc[] = descs(RELEASED)) =>
  statement({ kind: 'repackage', inputs, outputs });

describe('adversarial: hostile statements', () => {
  const badNames = [
    '../README.md',
    './README.md',
    'a//README.md',
    '/README.md',
    'a\\README.md',
    'README.md/',
    'C:README.md',
    'READ\u0000ME.md',
    'READ\u009bME.md',
  ];
  for (const name of badNames) {
    it(`refuses a subject named ${JSON.stringify(name)}`, async () => {
      const outputs = [{ name, sha256: sha('# card v1') }];
      const model = await single(ID.releaser, repackage(outputs));
      const result = await lab.verify(model, lab.policy(ROOTS));
      expect(result.verified).toBe(false);
      expect(errors(result.findings)).toContain('STATEMENT_INVALID');
    });
  }

  it('refuses an input named with ../', async () => {
    const inputs = [{ name: '../../etc/passwd', sha256: ROOTS[0] ?? '' }];
    const model = await single(ID.releaser, repackage(descs(RELEASED), inputs));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses an upper-case sha256 in a subject', async () => {
    const outputs = descs(RELEASED).map((d) => ({
      ...d,
      sha256: d.sha256.toUpperCase(),
    }));
    const model = await single(ID.releaser, repackage(outputs));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses duplicate subject names', async () => {
    const outputs = [...descs(RELEASED), ...descs({ 'README.md': 'x' })];
    const model = await single(ID.releaser, repackage(outputs));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a step with zero inputs', async () => {
    const model = await single(ID.releaser, repackage(descs(RELEASED), []));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a step whose only dependencies are tools', async () => {
    const tools = descs({ 'quantizer.py': 'print(1)' }).map((d) => ({
      ...d,
      annotations: { tool: true },
    }));
    const model = await single(ID.releaser, repackage(descs(RELEASED), tools));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a statement nested 10,000 levels deep, without a crash', async () => {
    const st = repackage(descs(RELEASED));
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const text = JSON.stringify(st).replace(
      '"externalParameters":{',
      `"externalParameters":{"deep":${deep},`,
    );
    const model = await single(ID.releaser, Buffer.from(text));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a valid statement signed under another payload type', async () => {
    const model = await single(ID.releaser, repackage(descs(RELEASED)), {
      payloadType: 'application/json',
    });
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a statement of in-toto v0.1', async () => {
    const st = {
      ...repackage(descs(RELEASED)),
      _type: 'https://in-toto.io/Statement/v0.1',
    };
    const model = await single(ID.releaser, st);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a build type outside the project namespace', async () => {
    const st = statement({
      kind: 'repackage',
      inputs: descs(RELEASED),
      outputs: descs(RELEASED),
      buildType: 'https://model-provenance.dev/build-types/../evil/v1',
    });
    const model = await single(ID.releaser, st);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('does not let __proto__ keys pollute prototypes or fake a bundle subject', async () => {
    const model = `m${++n}`;
    await legitChain(lab, model);
    const text = JSON.stringify(
      statement({
        kind: 'repackage',
        inputs: descs(RELEASED),
        outputs: [
          ...descs(RELEASED),
          { name: 'extra.bin', sha256: sha('evil') },
        ],
        parameters: { ...PARAMS.repackage, marker: 1 },
      }),
    )
      .replace('"marker":1', '"__proto__":{"polluted":true}')
      .replace(
        '{"name":"extra.bin"',
        '{"annotations":{"__proto__":{"bundle":true}},"name":"extra.bin"',
      )
      .replace('{"_type"', '{"__proto__":{"polluted":true},"_type"');
    await lab.attest(model, ID.releaser, Buffer.from(text));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // extra.bin is a real output, not a bundle subject: so it is missing.
    expect(errors(result.findings)).toContain('FILE_MISSING');
    expect(() => renderJson(result)).not.toThrow();
  });

  // Was a hole: duplicate keys were accepted (JSON.parse keeps the last).
  it('refuses a signed statement with duplicate keys (parser differential)', async () => {
    const model = `m${++n}`;
    await legitChain(lab, model);
    const good = repackage(descs(RELEASED));
    const evil = JSON.stringify(
      descs({ 'model.safetensors': 'backdoored' }).map((d) => ({
        name: d.name,
        digest: { sha256: d.sha256 },
      })),
    );
    const text = JSON.stringify(good).replace(
      '"subject":',
      `"subject":${evil},"subject":`,
    );
    await lab.attest(model, ID.releaser, Buffer.from(text));
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(errors(result.findings)).toContain('STATEMENT_INVALID');
  });

  it('refuses a step kind named like an Object.prototype member (validated policy)', async () => {
    const st = statement({
      kind: 'constructor',
      inputs: descs(RELEASED),
      outputs: descs(RELEASED),
    });
    const model = await single(ID.mallory, st);
    const result = await lab.verify(model, lab.policy(ROOTS));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('STEP_KIND_NOT_ALLOWED');
  });

  // Was a hole: kind "constructor" under a plain-object policy crashed.
  it('refuses a "constructor" step kind under a plain-object policy without throwing', async () => {
    const st = statement({
      kind: 'constructor',
      inputs: descs(RELEASED),
      outputs: descs(RELEASED),
    });
    const model = await single(ID.mallory, st);
    const policy: Policy = {
      version: 1,
      steps: {
        repackage: {
          required: true,
          signers: [{ issuer: lab.standIn.issuer, identity: ID.releaser }],
        },
      },
      roots: [],
    };
    const result = await verifyChain({
      modelPath: lab.path(model),
      policy,
      trustedRoot: lab.root,
    });
    expect(errors(result.findings)).toContain('STEP_KIND_NOT_ALLOWED');
  });
});
