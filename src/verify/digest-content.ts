import { timingSafeEqual, verify, type KeyObject } from 'node:crypto';

import type { SignedEntity } from '@sigstore/verify';

import { verifyPrehashed } from './ecdsa-prehash.js';

type SignatureContent = SignedEntity['signature'];

const same = (a: Buffer, b: Buffer) =>
  a.length === b.length && timingSafeEqual(a, b);

/**
 * The signed content of a message-signature bundle when only the
 * artifact's SHA-256 is known. `@sigstore/verify` checks a message
 * signature over the artifact's bytes; this checks it over the digest
 * instead (ECDSA only: Ed25519 signs the message itself).
 */
export class DigestSignatureContent implements SignatureContent {
  constructor(
    readonly signature: Buffer,
    private readonly digest: Buffer,
  ) {}

  compareSignature(signature: Buffer): boolean {
    return same(signature, this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return same(digest, this.digest);
  }

  /** For a message signature the signed digest is the artifact's. */
  compareSignedDigest(digest: Buffer): boolean {
    return same(digest, this.digest);
  }

  verifySignature(key: KeyObject): boolean {
    return verifyPrehashed(key, this.digest, this.signature);
  }
}

/**
 * A message signature checked over the artifact's bytes, as
 * `@sigstore/verify` does, except for Ed25519: the library passes a hash
 * name to Node's verify, which Ed25519 refuses, so no Ed25519 message
 * signature could ever verify. Pure Ed25519 signs the message itself.
 */
export class BytesSignatureContent implements SignatureContent {
  readonly signature: Buffer;

  constructor(
    private readonly inner: SignatureContent,
    private readonly bytes: Buffer,
  ) {
    this.signature = inner.signature;
  }

  compareSignature(signature: Buffer): boolean {
    return this.inner.compareSignature(signature);
  }

  compareDigest(digest: Buffer): boolean {
    return this.inner.compareDigest(digest);
  }

  compareSignedDigest(digest: Buffer): boolean {
    return this.inner.compareSignedDigest(digest);
  }

  verifySignature(key: KeyObject): boolean {
    if (key.asymmetricKeyType !== 'ed25519') {
      return this.inner.verifySignature(key);
    }
    try {
      return verify(null, this.bytes, key, this.signature);
    } catch {
      return false;
    }
  }
}
