import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';

import { VerifyError } from '../errors.js';
import { bytesEqual, strictDer } from './der.js';

/** A public key that the portable signature check understands. */
export type PortableKey =
  | { type: 'ec'; curve: 'P-256' | 'P-384'; point: Uint8Array }
  | { type: 'ed25519'; raw: Uint8Array }
  /** A well-formed key of another type (RSA...): it verifies nothing. */
  | { type: 'unsupported'; algorithm: string };

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';

/** The named-curve parameters, as DER object identifiers. */
const CURVES = [
  { name: 'P-256', der: hex('06082a8648ce3d030107'), curve: p256 },
  { name: 'P-384', der: hex('06052b81040022'), curve: p384 },
] as const;

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function invalid(message: string, cause?: unknown): VerifyError {
  return new VerifyError('VERIFY_KEY_INVALID', message, { cause });
}

/**
 * Reads a DER SubjectPublicKeyInfo: an ECDSA key on P-256 or P-384 (its
 * point checked to lie on the curve), an Ed25519 key, or a well-formed key
 * of another algorithm, returned as `unsupported`.
 *
 * @throws VerifyError `VERIFY_KEY_INVALID` for bytes that are not strict
 *   DER SubjectPublicKeyInfo, an unknown curve or a point off the curve.
 */
export function parseSpki(der: Uint8Array): PortableKey {
  let info: SubjectPublicKeyInfo;
  try {
    info = strictDer(der, SubjectPublicKeyInfo);
  } catch (cause) {
    throw invalid('expected a DER SubjectPublicKeyInfo', cause);
  }
  const { algorithm, parameters } = info.algorithm;
  const key = new Uint8Array(info.subjectPublicKey);
  if (algorithm === ED25519) {
    if (parameters !== undefined || key.length !== 32) {
      throw invalid('expected a 32-byte Ed25519 key without parameters');
    }
    return { type: 'ed25519', raw: checkEdPoint(key) };
  }
  if (algorithm !== EC_PUBLIC_KEY) return { type: 'unsupported', algorithm };
  const named = parameters
    ? CURVES.find((c) => bytesEqual(c.der, new Uint8Array(parameters)))
    : undefined;
  if (named === undefined) {
    throw invalid('expected an ECDSA key on P-256 or P-384');
  }
  try {
    named.curve.Point.fromBytes(key).assertValidity();
  } catch (cause) {
    throw invalid(`expected a point on ${named.name}`, cause);
  }
  return { type: 'ec', curve: named.name, point: key };
}

/** DER SubjectPublicKeyInfo up to an uncompressed point, by curve. */
const UNCOMPRESSED_SPKI_PREFIX = {
  'P-256': hex('3059301306072a8648ce3d020106082a8648ce3d030107034200'),
  'P-384': hex('3076301006072a8648ce3d020106052b81040022036200'),
} as const;

/**
 * A DER SubjectPublicKeyInfo in one form per key: an EC point is written
 * uncompressed, as OpenSSL writes it by default, so that a compressed
 * encoding of the same key gives the same bytes (a hybrid one does not
 * parse). Other keys are returned as they are.
 *
 * @throws VerifyError `VERIFY_KEY_INVALID` as {@link parseSpki} does.
 */
export function canonicalSpki(der: Uint8Array): Uint8Array {
  const key = parseSpki(der);
  if (key.type !== 'ec') return der;
  const named = CURVES.find((c) => c.name === key.curve);
  const point = named?.curve.Point.fromBytes(key.point).toBytes(false);
  const prefix = UNCOMPRESSED_SPKI_PREFIX[key.curve];
  const out = new Uint8Array(prefix.length + (point?.length ?? 0));
  out.set(prefix);
  out.set(point ?? [], prefix.length);
  return out;
}

function checkEdPoint(raw: Uint8Array): Uint8Array {
  try {
    ed25519.Point.fromBytes(raw, false);
  } catch (cause) {
    throw invalid('expected an Ed25519 point', cause);
  }
  return raw;
}

/**
 * The DER bytes of a PEM `PUBLIC KEY` block.
 *
 * @throws VerifyError `VERIFY_KEY_INVALID` for anything else.
 */
export function pemToDer(pem: string): Uint8Array {
  const match =
    /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/.exec(
      pem.trimStart(),
    );
  if (!match) throw invalid('expected a PEM PUBLIC KEY block');
  return base64ToBytes((match[1] ?? '').replace(/\r?\n/g, ''));
}

/** Strict standard base64 (with padding) to bytes. */
export function base64ToBytes(text: string): Uint8Array {
  if (
    !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(
      text,
    )
  ) {
    throw invalid('expected base64');
  }
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
