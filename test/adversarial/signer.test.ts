import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { validatePolicy } from '../../src/policy/policy.js';
import {
  ID,
  RELEASED,
  ROOTS,
  descs,
  errors,
  startLab,
  statement,
  type Lab,
} from './helpers.js';

let lab: Lab;
let n = 0;

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => lab.close());

const release = () =>
  statement({
    kind: 'repackage',
    inputs: descs({ 'w.bin': 'pinned' }),
    outputs: descs(RELEASED),
  });

/** A model with RELEASED signed as a repackage by `who`. */
async function signedBy(
  who: string,
  opts?: { issuer?: string },
  st = release(),
): Promise<string> {
  const model = `s${++n}`;
  await lab.write(model, RELEASED);
  await lab.attest(model, who, st, opts);
  return model;
}

const roots = [...ROOTS, ...descs({ 'w.bin': 'pinned' }).map((d) => d.sha256)];

/** A policy with one rule for repackage and nothing required elsewhere. */
const policyWith = (signer: Record<string, string>) =>
  validatePolicy({
    version: 1,
    steps: { repackage: { required: true, signers: [signer] } },
    roots: roots.map((sha256) => ({ sha256 })),
  });

describe('adversarial: signers', () => {
  it('baseline: the allowed releaser verifies', async () => {
    const model = await signedBy(ID.releaser);
    const result = await lab.verify(
      model,
      policyWith({ issuer: lab.standIn.issuer, identity: ID.releaser }),
    );
    expect(errors(result.findings)).toEqual([]);
    expect(result.verified).toBe(true);
  });

  it('refuses the allowed identity from another issuer', async () => {
    const other = `${lab.standIn.url}/other`;
    const model = await signedBy(ID.releaser, { issuer: other });
    const result = await lab.verify(
      model,
      policyWith({ issuer: lab.standIn.issuer, identity: ID.releaser }),
    );
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('SIGNER_NOT_ALLOWED');
    const f = result.findings.find((x) => x.code === 'SIGNER_NOT_ALLOWED');
    expect(f?.signer?.issuer).toBe(other);
  });

  it('refuses an allowed signer of another kind re-signing as repackage', async () => {
    const model = await signedBy(ID.exporter);
    const result = await lab.verify(model, lab.policy(roots));
    expect(result.verified).toBe(false);
    expect(errors(result.findings)).toContain('SIGNER_NOT_ALLOWED');
  });

  const patterns: [string, string][] = [
    ['releaser@example\\.com', 'xreleaser@example.com'],
    ['releaser@example\\.com', 'releaser@example.com.evil.net'],
    ['releaser@example\\.com|ops@example\\.com', 'ops@example.com.evil.net'],
    ['releaser@example\\.com|ops@example\\.com', 'evil-releaser@example.com'],
    [
      'https://ci\\.example\\.com/acme/.*',
      'https://evil.example/ci.example.com/acme/x',
    ],
    ['(?:releaser)@example\\.com', 'releaser@example.company'],
  ];
  for (const [pattern, identity] of patterns) {
    it(`anchors identityPattern ${pattern} against ${identity}`, async () => {
      const model = await signedBy(identity);
      const result = await lab.verify(
        model,
        policyWith({ issuer: lab.standIn.issuer, identityPattern: pattern }),
      );
      expect(result.verified).toBe(false);
      expect(errors(result.findings)).toContain('SIGNER_NOT_ALLOWED');
    });
  }

  it('refuses a pattern that tries to break out of the anchoring group', () => {
    expect(() =>
      policyWith({
        issuer: lab.standIn.issuer,
        identityPattern: 'x)|(.*',
      }),
    ).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
  });

  it('compares the issuer exactly (no prefix or trailing slash match)', async () => {
    const model = await signedBy(ID.releaser, {
      issuer: `${lab.standIn.issuer}/`,
    });
    const result = await lab.verify(
      model,
      policyWith({ issuer: lab.standIn.issuer, identity: ID.releaser }),
    );
    expect(errors(result.findings)).toContain('SIGNER_NOT_ALLOWED');
  });
});
