import { describe, expect, it } from 'vitest';

import { PolicyError } from '../../src/errors.js';
import { parsePolicy } from '../../src/policy/policy.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const ROOT = 'a'.repeat(64);

const VALID = `
version: 1
steps:
  export:
    required: true
    signers:
      - issuer: ${ISSUER}
        identity: export@example.com
  quantize:
    signers:
      - issuer: ${ISSUER}
        identityPattern: "https://github\\\\.com/acme/[a-z]+/\\\\.github/workflows/q\\\\.yml@refs/heads/main"
roots:
  - name: upstream checkpoint
    sha256: ${ROOT}
`;

function codeOf(text: string): string | undefined {
  try {
    parsePolicy(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).code;
  }
}

describe('#parsePolicy', () => {
  describe('when the policy is valid YAML', () => {
    it('returns the steps, signers and roots', () => {
      const policy = parsePolicy(VALID);
      expect(policy.steps.export).toEqual({
        required: true,
        threshold: 1,
        signers: [{ issuer: ISSUER, identity: 'export@example.com' }],
      });
      expect(policy.steps.quantize?.required).toBe(false);
      expect(policy.steps.quantize?.signers[0]?.identityPattern).toMatch(
        /^https/,
      );
      expect(policy.roots).toEqual([
        { name: 'upstream checkpoint', sha256: ROOT },
      ]);
    });
  });

  describe('when the policy is JSON', () => {
    it('returns the same policy', () => {
      const json = JSON.stringify({
        version: 1,
        steps: { export: { signers: [{ issuer: ISSUER, identity: 'e' }] } },
      });
      expect(parsePolicy(json).steps.export?.signers).toHaveLength(1);
    });
  });

  describe('when the policy is wrong', () => {
    it.each([
      ['not YAML', 'steps: [', 'POLICY_NOT_PARSEABLE'],
      [
        'a duplicate key',
        'version: 1\nversion: 1\nsteps: {}',
        'POLICY_NOT_PARSEABLE',
      ],
      [
        'a wrong version',
        VALID.replace('version: 1', 'version: 2'),
        'POLICY_INVALID',
      ],
      ['no steps', 'version: 1\nsteps: {}', 'POLICY_INVALID'],
      ['an unknown field', VALID + 'extra: 1\n', 'POLICY_INVALID'],
      ['a bad root digest', VALID.replace(ROOT, 'ABC'), 'POLICY_INVALID'],
      [
        'an upper-case root digest',
        VALID.replace(ROOT, 'A'.repeat(64)),
        'POLICY_INVALID',
      ],
      [
        'a bad step kind',
        VALID.replace('export:', 'Export!:'),
        'POLICY_INVALID',
      ],
      [
        'both identity forms',
        VALID.replace(
          'identity: export@example.com',
          'identity: e\n        identityPattern: e',
        ),
        'POLICY_INVALID',
      ],
      [
        'neither identity form',
        VALID.replace('identity: export@example.com', ''),
        'POLICY_INVALID',
      ],
      [
        'a broken pattern',
        VALID.replace(/identityPattern: .*/, 'identityPattern: "(["'),
        'POLICY_INVALID',
      ],
      [
        'no signers',
        'version: 1\nsteps:\n  export:\n    signers: []',
        'POLICY_INVALID',
      ],
      [
        'a YAML alias',
        'version: 1\nx: &a 1\nsteps: *a',
        'POLICY_NOT_PARSEABLE',
      ],
    ])('throws for %s', (_name, text, code) => {
      expect(codeOf(text)).toBe(code);
    });

    it('throws POLICY_INVALID for a document over the size limit', () => {
      expect(codeOf(VALID + '#'.repeat(1024 * 1024))).toBe('POLICY_INVALID');
    });

    it('keeps __proto__ keys harmless', () => {
      const text = VALID.replace(
        'steps:',
        'steps:\n  __proto__:\n    signers: []',
      );
      expect(codeOf(text)).toBe('POLICY_INVALID');
      expect(({} as Record<string, unknown>).signers).toBeUndefined();
    });
  });

  describe('when the policy orders kinds and pins a release', () => {
    const ORDERED =
      VALID.replace('  quantize:\n', '  quantize:\n    after: [export]\n') +
      `final: [quantize]
release:
  name: m
  version: 1.0.0
  sha256: ${ROOT}
`;

    it('returns after, final and release', () => {
      const policy = parsePolicy(ORDERED);
      expect(policy.steps.quantize?.after).toEqual(['export']);
      expect(policy.steps.export?.after).toBeUndefined();
      expect(policy.final).toEqual(['quantize']);
      expect(policy.release).toEqual({
        name: 'm',
        version: '1.0.0',
        sha256: ROOT,
      });
    });

    it.each([
      [
        'after names an unknown kind',
        ORDERED.replace('after: [export]', 'after: [training]'),
      ],
      [
        'final names an unknown kind',
        ORDERED.replace('final: [quantize]', 'final: [deploy]'),
      ],
      [
        'after is not a list',
        ORDERED.replace('after: [export]', 'after: export'),
      ],
      [
        'the release digest is bad',
        ORDERED.replace(`sha256: ${ROOT}\n`, 'sha256: xyz\n'),
      ],
      ['the release has an unknown field', ORDERED + '  tag: latest\n'],
    ])('throws POLICY_INVALID when %s', (_name, text) => {
      expect(codeOf(text)).toBe('POLICY_INVALID');
    });
  });
});
