import { describe, expect, it } from 'vitest';

import { UNLOGGED_HINT, unloggedHint } from '../../src/cli/unlogged-hint.js';

const bytes = (bundle: unknown) =>
  new TextEncoder().encode(JSON.stringify(bundle));

/** A bundle's shape: only what the hint looks at. */
const keyBundle = (extra: Record<string, unknown> = {}) =>
  bytes({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'abc' }, ...extra },
  });

const given = { keysGiven: true, allowUnlogged: false };

describe('#unloggedHint', () => {
  it('names --allow-unlogged for a key bundle with no entry and no time', () => {
    const hint = unloggedHint('VERIFY_TIMESTAMP_FAILED', keyBundle(), given);
    expect(hint).toBe(UNLOGGED_HINT);
    const empty = keyBundle({
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    });
    expect(unloggedHint('VERIFY_TLOG_FAILED', empty, given)).toBe(
      UNLOGGED_HINT,
    );
  });

  it.each([
    ['a log entry that is present', keyBundle({ tlogEntries: [{}] })],
    [
      'a timestamp that is present',
      keyBundle({ timestampVerificationData: { rfc3161Timestamps: [{}] } }),
    ],
    [
      'a keyless bundle',
      bytes({ verificationMaterial: { certificate: { rawBytes: 'AA==' } } }),
    ],
    ['bytes that are not JSON', new TextEncoder().encode('{')],
  ])('gives none for %s: the flag would not help', (_, bundle) => {
    expect(unloggedHint('VERIFY_TLOG_FAILED', bundle, given)).toBeUndefined();
  });

  it('gives none for another failure, with no keys, or with the flag', () => {
    const bundle = keyBundle();
    expect(
      unloggedHint('VERIFY_SIGNATURE_FAILED', bundle, given),
    ).toBeUndefined();
    expect(
      unloggedHint('VERIFY_TLOG_FAILED', bundle, {
        keysGiven: false,
        allowUnlogged: false,
      }),
    ).toBeUndefined();
    expect(
      unloggedHint('VERIFY_TLOG_FAILED', bundle, {
        keysGiven: true,
        allowUnlogged: true,
      }),
    ).toBeUndefined();
  });
});
