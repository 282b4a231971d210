import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { parseStrictJson } from '../../src/json/strict.js';
import type { BundlePolicy } from '../../src/verify/bundle-policy.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import {
  loadTrustedRoot,
  type TrustedRootHandle,
} from '../../src/verify/trusted-root.js';
import { CASES, SUITE, type ConformanceCase } from './conformance-cases.js';

// Why each failing case fails: a wrong reason would hide a hole.
const CODES: Record<string, string> = {
  'bundle-empty-certificate-chain_fail': 'VERIFY_BUNDLE_MALFORMED',
  'bundle-from-wrong-instance_fail': 'VERIFY_CERTIFICATE_FAILED',
  // Refused before any signature check: base64 with junk (strict-fields.ts).
  'bundle-invalid-base64-signature_fail': 'VERIFY_BUNDLE_MALFORMED',
  'bundle-malformed-json_fail': 'VERIFY_BUNDLE_MALFORMED',
  'bundle-unknown-version_fail': 'VERIFY_BUNDLE_UNSUPPORTED',
  'checkpoint-bad-keyhint_fail': 'VERIFY_TLOG_FAILED',
  'dsse-invalid-sig_fail': 'VERIFY_TLOG_FAILED',
  'dsse-mismatch-envelope_fail': 'VERIFY_TLOG_FAILED',
  'inclusion-proof-corrupted-hash_fail': 'VERIFY_TLOG_FAILED',
  'incorrect-public-key_fail': 'VERIFY_TLOG_FAILED',
  'intoto-expired-certificate_fail': 'VERIFY_CERTIFICATE_FAILED',
  'intoto-missing-inclusion-proof_fail': 'VERIFY_BUNDLE_MALFORMED',
  'invalid-checkpoint-signature_fail': 'VERIFY_TLOG_FAILED',
  'invalid-inclusion-proof_fail': 'VERIFY_BUNDLE_MALFORMED',
  'managed-key-no-key_fail': 'VERIFY_MATERIAL_MISMATCH',
  'message-digest-mismatch_fail': 'VERIFY_ARTIFACT_MISMATCH',
  'rekor2-checkpoint-missing-log-signature_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-checkpoint-missing-root-hash_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-checkpoint-missing-size_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-checkpoint-no-matching-signature_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-dsse-invalid-sig_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-dsse-mismatch-envelope_fail': 'VERIFY_TLOG_FAILED',
  'rekor2-no-inclusion-proof_fail': 'VERIFY_BUNDLE_MALFORMED',
  'rekor2-no-timestamp_fail': 'VERIFY_TIMESTAMP_FAILED',
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail':
    'VERIFY_TIMESTAMP_FAILED',
  'rekor2-timestamp-outside-tsa-cert-validity_fail': 'VERIFY_TIMESTAMP_FAILED',
  'rekor2-timestamp-payload-mismatch_fail': 'VERIFY_TIMESTAMP_FAILED',
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail':
    'VERIFY_TIMESTAMP_FAILED',
  // Its timestamp's base64 is wrapped in lines (made with `base64`), which
  // is refused before the time is read (strict-fields.ts).
  'rekor2-timestamp-with-incorrect-time_fail': 'VERIFY_BUNDLE_MALFORMED',
  'signature-mismatch_fail': 'VERIFY_TLOG_FAILED',
  'wrong-hashedrekord-artifact_fail': 'VERIFY_TLOG_FAILED',
  'wrong-hashedrekord-cert-and-sig_fail': 'VERIFY_TLOG_FAILED',
  'wrong-material_fail': 'VERIFY_ARTIFACT_MISMATCH',
};

const roots = new Map<string, TrustedRootHandle>();
function rootOf(path: string): TrustedRootHandle {
  const found = roots.get(path);
  if (found) return found;
  const text = readFileSync(join(SUITE, path), 'utf8');
  const root = loadTrustedRoot(parseStrictJson(text));
  roots.set(path, root);
  return root;
}

function policyOf(c: ConformanceCase): BundlePolicy {
  if (c.key) return { key: readFileSync(join(SUITE, c.key), 'utf8') };
  return {
    certificate: {
      identity: c.certificateIdentity ?? '',
      issuer: c.certificateOidcIssuer ?? '',
    },
  };
}

/** `pass`, or the code it failed with; anything untyped is a bug. */
async function outcome(c: ConformanceCase, byDigest: boolean) {
  const path = join(SUITE, c.artifact);
  const hex = createHash('sha256').update(readFileSync(path)).digest('hex');
  try {
    await verifyBundle({
      bundle: readFileSync(join(SUITE, c.bundle)),
      artifact: byDigest ? { digest: `sha256:${hex}` } : { path },
      policy: policyOf(c),
      trustedRoot: rootOf(c.trustedRoot),
    });
    return 'pass';
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyError);
    return (error as VerifyError).code;
  }
}

describe('#verifyBundle', () => {
  describe('when run on the Sigstore conformance suite', () => {
    it('has its 48 cases, a code for each that must fail', () => {
      expect(CASES).toHaveLength(48);
      const failing = CASES.filter((c) => c.expect === 'fail');
      expect(failing.map((c) => c.name).sort()).toEqual(
        Object.keys(CODES).sort(),
      );
    });

    for (const byDigest of [false, true]) {
      const how = byDigest ? 'sha256:<hex> of the artifact' : 'the file';
      describe(`when given ${how}`, () => {
        for (const c of CASES) {
          if (byDigest && c.alsoRunWithDigest === false) continue;
          const expected = c.expect === 'pass' ? 'pass' : CODES[c.name];
          const verb = c.expect === 'pass' ? 'verifies' : `throws ${expected}:`;
          it(`${verb} ${c.name}`, async () => {
            expect(await outcome(c, byDigest)).toBe(expected);
          });
        }
      });
    }
  });
});
