import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VerifyError } from '../../src/errors.js';
import { parseStrictJson } from '../../src/json/strict.js';
import { verifyBundle } from '../../src/verify/bundle.js';
import { checkBundleStrictly } from '../../src/verify/strict-bundle.js';
import { loadTrustedRoot } from '../../src/verify/trusted-root.js';
import { TESTDATA } from '../testdata.js';

// The real npm provenance of sigstore@2.1.0: every field a v0.3 bundle has.
const NPM = join(TESTDATA, 'npm-provenance');
const TEXT = readFileSync(join(NPM, 'sigstore-js-2.1.0-bundle.json'), 'utf8');
const ROOT = loadTrustedRoot(
  parseStrictJson(readFileSync(join(NPM, 'trusted_root.json'), 'utf8')),
);

type Json = Record<string, unknown>;

const fresh = (): Json => JSON.parse(TEXT) as Json;
const vm = (b: Json): Json => b.verificationMaterial as Json;
const tlog = (b: Json): Json => (vm(b).tlogEntries as Json[])[0];
const proof = (b: Json): Json => tlog(b).inclusionProof as Json;
const breakLines = (s: string) => s.replace(/(.{16})/g, '$1\n');

function codeOf(edit: (b: Json) => void): string | undefined {
  const bundle = fresh();
  edit(bundle);
  try {
    checkBundleStrictly(bundle);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyError);
    return (error as VerifyError).code;
  }
}

/** Each bytes field, as a path from the bundle, with white space added. */
const BASE64_FIELDS: [string, (b: Json) => void][] = [
  [
    'certificate rawBytes',
    (b) => {
      const c = vm(b).certificate as Json;
      c.rawBytes = breakLines(c.rawBytes as string);
    },
  ],
  [
    'inclusion proof hash',
    (b) => {
      const hashes = proof(b).hashes as string[];
      hashes[3] = ` ${hashes[3]}`;
    },
  ],
  [
    'inclusion proof root hash',
    (b) => {
      proof(b).rootHash = `${proof(b).rootHash as string}\n`;
    },
  ],
  [
    'inclusion promise',
    (b) => {
      const p = tlog(b).inclusionPromise as Json;
      p.signedEntryTimestamp = breakLines(p.signedEntryTimestamp as string);
    },
  ],
  [
    'canonicalized body',
    (b) => {
      tlog(b).canonicalizedBody = breakLines(
        tlog(b).canonicalizedBody as string,
      );
    },
  ],
  [
    'log id',
    (b) => {
      const id = tlog(b).logId as Json;
      id.keyId = `\t${id.keyId as string}`;
    },
  ],
  [
    'checkpoint root hash',
    (b) => {
      const cp = proof(b).checkpoint as Json;
      const lines = (cp.envelope as string).split('\n');
      lines[2] = `${lines[2]?.slice(0, 10)} ${lines[2]?.slice(10)}`;
      cp.envelope = lines.join('\n');
    },
  ],
  [
    'checkpoint signature',
    (b) => {
      const cp = proof(b).checkpoint as Json;
      cp.envelope = (cp.envelope as string).replace(/ (\S+)\n$/, ' !$1\n');
    },
  ],
];

/** Each int64 field, set by `set` to a value. */
const INT64_FIELDS: [string, (b: Json, v: unknown) => void][] = [
  ['logIndex', (b, v) => (tlog(b).logIndex = v)],
  ['integratedTime', (b, v) => (tlog(b).integratedTime = v)],
  ['inclusionProof.logIndex', (b, v) => (proof(b).logIndex = v)],
  ['inclusionProof.treeSize', (b, v) => (proof(b).treeSize = v)],
];

describe('#checkBundleStrictly on fields no signature covers', () => {
  it('accepts the real bundle as issued (control)', () => {
    expect(codeOf(() => undefined)).toBeUndefined();
  });

  describe('when a bytes field holds white space', () => {
    it.each(BASE64_FIELDS)(
      'throws VERIFY_BUNDLE_MALFORMED for the %s',
      (_, edit) => {
        expect(codeOf(edit)).toBe('VERIFY_BUNDLE_MALFORMED');
      },
    );
  });

  describe('when a timestamp response holds white space', () => {
    it('throws VERIFY_BUNDLE_MALFORMED', () => {
      const code = codeOf((b) => {
        vm(b).timestampVerificationData = {
          rfc3161Timestamps: [{ signedTimestamp: 'MIIC\nAQ==' }],
        };
      });
      expect(code).toBe('VERIFY_BUNDLE_MALFORMED');
    });
  });

  describe('when a bytes field is not a string', () => {
    it.each([[[]], [{}], [5], [null]])('throws for %j', (value) => {
      const code = codeOf((b) => (proof(b).rootHash = value));
      expect(code).toBe('VERIFY_BUNDLE_MALFORMED');
    });
  });

  describe('when a DSSE keyid is not a string', () => {
    const sig = (b: Json) => ((b.dsseEnvelope as Json).signatures as Json[])[0];
    it.each([[{}], [-1], [true], [null], [[]]])('throws for %j', (value) => {
      expect(codeOf((b) => (sig(b).keyid = value))).toBe(
        'VERIFY_BUNDLE_MALFORMED',
      );
    });
    it.each([[''], ['a key id']])('accepts the string %j', (value) => {
      expect(codeOf((b) => (sig(b).keyid = value))).toBeUndefined();
    });
  });

  describe('when an int64 field is not a decimal integer', () => {
    const BAD = [
      [],
      [[]],
      {},
      null,
      true,
      '',
      ' 1',
      '1e3',
      '-1',
      '0x10',
      '01',
      -1,
      1.5,
      '9223372036854775808',
    ];
    for (const [name, set] of INT64_FIELDS) {
      it.each(BAD.map((v) => [v]))(`throws for ${name} = %j`, (value) => {
        expect(codeOf((b) => set(b, value))).toBe('VERIFY_BUNDLE_MALFORMED');
      });
    }

    it('accepts a number where proto3 JSON allows one', () => {
      expect(codeOf((b) => (tlog(b).logIndex = 33351527))).toBeUndefined();
    });
  });

  describe('when the media type is junk or unknown', () => {
    it.each([
      ['application/vnd.dev.sigstore.bundle.v0.4+json'],
      ['application/vnd.dev.sigstore.bundle+json;version=0.9'],
      ['application/vnd.dev.sigstore.bundle.v0.3+json '],
      ['APPLICATION/VND.DEV.SIGSTORE.BUNDLE.V0.3+JSON'],
      [''],
      [[]],
      [null],
    ])('throws VERIFY_BUNDLE_UNSUPPORTED for %j', (mediaType) => {
      expect(codeOf((b) => (b.mediaType = mediaType))).toBe(
        'VERIFY_BUNDLE_UNSUPPORTED',
      );
    });

    it('throws VERIFY_BUNDLE_MALFORMED when it is missing', () => {
      expect(codeOf((b) => delete b.mediaType)).toBe('VERIFY_BUNDLE_MALFORMED');
    });
  });
});

describe('#verifyBundle with lenient fields', () => {
  const verify = (bundle: Json) =>
    verifyBundle({
      bundle: JSON.stringify(bundle),
      artifact: { path: join(NPM, 'sigstore-js-2.1.0.tgz') },
      policy: {
        certificate: {
          identity:
            'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
          issuer: 'https://token.actions.githubusercontent.com',
        },
      },
      trustedRoot: ROOT,
    });

  it('verifies the real bundle (control)', async () => {
    await expect(verify(fresh())).resolves.toMatchObject({ content: 'dsse' });
  });

  it('throws VERIFY_BUNDLE_MALFORMED for white space in the certificate', async () => {
    const bundle = fresh();
    BASE64_FIELDS[0]?.[1](bundle);
    await expect(verify(bundle)).rejects.toMatchObject({
      code: 'VERIFY_BUNDLE_MALFORMED',
    });
  });

  // The chain's loader and verifyBundle read the media type with one check.
  it('throws VERIFY_BUNDLE_MALFORMED for a missing media type', async () => {
    const bundle = fresh();
    delete bundle.mediaType;
    const error = await verify(bundle).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).code).toBe('VERIFY_BUNDLE_MALFORMED');
    expect((error as VerifyError).message).toContain('mediaType: missing');
  });

  it('throws VERIFY_BUNDLE_UNSUPPORTED for a media type of version 0.4', async () => {
    const bundle = fresh();
    bundle.mediaType = 'application/vnd.dev.sigstore.bundle.v0.4+json';
    await expect(verify(bundle)).rejects.toMatchObject({
      code: 'VERIFY_BUNDLE_UNSUPPORTED',
    });
  });

  it('throws VERIFY_BUNDLE_MALFORMED for [] as the log index', async () => {
    const bundle = fresh();
    tlog(bundle).logIndex = [];
    await expect(verify(bundle)).rejects.toMatchObject({
      code: 'VERIFY_BUNDLE_MALFORMED',
    });
  });
});
