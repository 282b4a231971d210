import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  BEACON,
  CASES,
  SUITE,
  type ConformanceCase,
} from '../verify/conformance-cases.js';
import { runCaptured as cli } from './capture.js';

function argsOf(c: ConformanceCase, byDigest: boolean): string[] {
  const artifact = join(SUITE, c.artifact);
  const sha256 = createHash('sha256').update(readFileSync(artifact));
  const signer = c.key
    ? ['--key', join(SUITE, c.key)]
    : [
        '--certificate-identity',
        c.certificateIdentity ?? '',
        '--certificate-oidc-issuer',
        c.certificateOidcIssuer ?? '',
      ];
  return [
    'verify-bundle',
    '--bundle',
    join(SUITE, c.bundle),
    ...signer,
    '--trusted-root',
    join(SUITE, c.trustedRoot),
    byDigest ? `sha256:${sha256.digest('hex')}` : artifact,
  ];
}

const HAPPY = CASES.find((c) => c.name === 'happy-path-v0.3')!;

describe('mprov verify-bundle', () => {
  describe('when run on every conformance case, with file and digest', () => {
    it('exits 0 for each case that must pass and 1 for each that must fail', async () => {
      const wrong: string[] = [];
      for (const c of CASES) {
        for (const byDigest of [false, true]) {
          const { code } = await cli(...argsOf(c, byDigest));
          if (code !== (c.expect === 'pass' ? 0 : 1)) {
            wrong.push(`${c.name} ${byDigest ? 'digest' : 'file'}: ${code}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when the bundle verifies without --trusted-root', () => {
    it('says it used the embedded public-good root, with its digest', async () => {
      const args = argsOf(HAPPY, false).filter(
        (a, i, all) =>
          a !== '--trusted-root' && all[i - 1] !== '--trusted-root',
      );
      const { code, stdout } = await cli(...args, '--json');
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as Record<string, unknown>;
      expect(result.verified).toBe(true);
      expect(result.trustedRoot).toEqual({
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string,
        source: expect.stringContaining('public-good') as string,
      });
      expect(result.signer).toMatchObject({
        kind: 'certificate',
        identity: BEACON.identity,
        issuer: BEACON.issuer,
      });
    });
  });

  describe('when the bundle does not verify', () => {
    it('exits 1 and prints the code and the root in text', async () => {
      const c = CASES.find((x) => x.name === 'wrong-material_fail')!;
      const { code, stdout } = await cli(...argsOf(c, false));
      expect(code).toBe(1);
      expect(stdout).toMatch(/^not verified: VERIFY_ARTIFACT_MISMATCH: /);
      expect(stdout).toMatch(/trusted root: sha256:[0-9a-f]{64} \(/);
    });

    it('exits 1 with verified false and the code in JSON', async () => {
      const args = argsOf(HAPPY, false);
      args.splice(args.indexOf('--certificate-identity') + 1, 1, 'x@y.z');
      const { code, stdout } = await cli(...args, '--json');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({
        verified: false,
        code: 'VERIFY_IDENTITY_MISMATCH',
      });
    });
  });

  describe('when the usage is wrong', () => {
    const base = ['verify-bundle', '--bundle', join(SUITE, HAPPY.bundle)];

    it('exits 2 when neither a key nor an identity is given', async () => {
      const { code, stderr } = await cli(...base, join(SUITE, HAPPY.artifact));
      expect(code).toBe(2);
      expect(stderr).toContain('USAGE_INVALID');
    });

    it('exits 2 when both a key and an identity are given', async () => {
      const args = argsOf(HAPPY, false);
      const { code } = await cli(...args, '--key', 'key.pub');
      expect(code).toBe(2);
    });

    it('exits 2 for a malformed digest', async () => {
      const args = argsOf(HAPPY, false).slice(0, -1);
      const { code, stderr } = await cli(...args, 'sha256:abc');
      expect(code).toBe(2);
      expect(stderr).toContain('VERIFY_ARTIFACT_INVALID');
    });

    it('exits 2 for a bundle that cannot be read', async () => {
      const args = argsOf(HAPPY, false);
      args[2] = join(SUITE, 'missing.json');
      const { code, stderr } = await cli(...args);
      expect(code).toBe(2);
      expect(stderr).toContain('USAGE_INPUT_UNREADABLE');
    });
  });
});
