import {
  createHash,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';

import canonicalizeModule from 'canonicalize';

import { readTestdata } from './fixtures.js';

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;
const b64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64');
const sha256 = (data: Uint8Array | string) =>
  createHash('sha256').update(data).digest();

/**
 * A transparency log made up for key-based tests, in this process: it signs
 * inclusion promises (SETs) for hashedrekord 0.0.1 entries, as Rekor v1
 * does, and its trusted root is the public-good one with this log instead.
 */
export class TestLog {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly spki = this.keys.publicKey.export({
    type: 'spki',
    format: 'der',
  });
  private readonly logId = sha256(this.spki);

  /** `trusted_root.json` content that trusts this log. */
  trustedRoot(): unknown {
    const root = readTestdata('public-good', 'trusted_root.json') as Record<
      string,
      unknown
    >;
    const tlog = {
      baseUrl: 'http://127.0.0.1',
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(this.spki),
        keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
      logId: { keyId: b64(this.logId) },
    };
    return { ...root, tlogs: [tlog] };
  }

  /**
   * A v0.1 message-signature bundle with a public-key hint. The digest and
   * the ECDSA signature use `hash`: by default the one the algorithm
   * registry pairs with the key (SHA-384 on P-384, else SHA-256).
   * `signedWith` makes a signature over another hash than the declared one.
   */
  signMessage(
    artifact: Buffer,
    signer: KeyObject,
    publicPem: string,
    opts: { hash?: 'sha256' | 'sha384'; signedWith?: 'sha256' | 'sha384' } = {},
  ) {
    const curve = signer.asymmetricKeyDetails?.namedCurve;
    const hash = opts.hash ?? (curve === 'secp384r1' ? 'sha384' : 'sha256');
    const digest = createHash(hash).update(artifact).digest();
    const ed = signer.asymmetricKeyType === 'ed25519';
    const signature = sign(
      ed ? null : (opts.signedWith ?? hash),
      artifact,
      signer,
    );
    const body = canonicalize({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: hash, value: digest.toString('hex') } },
        signature: {
          content: b64(signature),
          publicKey: { content: b64(publicPem) },
        },
      },
    });
    const integratedTime = Math.floor(Date.now() / 1000) - 60;
    const set = sign(
      'sha256',
      Buffer.from(
        canonicalize({
          body: b64(body),
          integratedTime,
          logIndex: 7,
          logID: this.logId.toString('hex'),
        }),
      ),
      this.keys.privateKey,
    );
    return JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: {
        publicKey: { hint: 'test-key' },
        tlogEntries: [
          {
            logIndex: '7',
            logId: { keyId: b64(this.logId) },
            kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
            integratedTime: String(integratedTime),
            inclusionPromise: { signedEntryTimestamp: b64(set) },
            canonicalizedBody: b64(body),
          },
        ],
      },
      messageSignature: {
        messageDigest: {
          algorithm: hash === 'sha384' ? 'SHA2_384' : 'SHA2_256',
          digest: b64(digest),
        },
        signature: b64(signature),
      },
    });
  }
}
