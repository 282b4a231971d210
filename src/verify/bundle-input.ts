import { bundleFromJSON, type Bundle } from '@sigstore/bundle';

import { VerifyError } from '../errors.js';
import {
  parseStrictJson,
  parseStrictJsonBytes,
  StrictJsonError,
} from '../json/strict.js';
import { MAX_BUNDLE_BYTES } from './bundle-limit.js';
import { checkBundleStrictly } from './strict-bundle.js';
import { BUNDLE_MEDIA_TYPES, checkMediaType } from './strict-fields.js';

/** The bundle format versions this library verifies. */
export type BundleVersion = '0.1' | '0.2' | '0.3';

/** A bundle that parsed, with the facts read before any verification. */
export interface ParsedBundle {
  bundle: Bundle;
  version: BundleVersion;
}

export { MAX_BUNDLE_BYTES };

const malformed = (message: string, cause?: unknown) =>
  new VerifyError('VERIFY_BUNDLE_MALFORMED', message, { cause });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseText(text: string | Uint8Array): unknown {
  const size = typeof text === 'string' ? text.length : text.byteLength;
  const blank =
    typeof text === 'string'
      ? /^[ \t\r\n]*$/.test(text)
      : text.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  if (blank) {
    throw new VerifyError('VERIFY_BUNDLE_EMPTY', 'the bundle is empty');
  }
  if (size > MAX_BUNDLE_BYTES) {
    throw malformed(
      `expected at most ${MAX_BUNDLE_BYTES} bytes, found ${size}`,
    );
  }
  try {
    return typeof text === 'string'
      ? parseStrictJson(text)
      : parseStrictJsonBytes(text);
  } catch (error) {
    const reason = error instanceof StrictJsonError ? error.reason : 'utf-8';
    throw malformed(`bundle is not strict JSON (${reason})`, error);
  }
}

function versionOf(json: Record<string, unknown>): BundleVersion {
  // The library's own check accepts any `vX.Y`: an unknown version passes.
  // One check, so that the chain and verify-bundle give one code.
  checkMediaType(json);
  const version = BUNDLE_MEDIA_TYPES.get(json.mediaType);
  if (version === undefined) throw malformed('mediaType: unreadable');
  return version;
}

/** DSSE with other than one signature is refused before parsing. */
function checkDsseSignatures(json: Record<string, unknown>): void {
  const envelope = json.dsseEnvelope;
  if (envelope === undefined) return;
  if (!isObject(envelope) || !Array.isArray(envelope.signatures)) {
    throw malformed('expected a dsseEnvelope with a signatures list');
  }
  const count = envelope.signatures.length;
  if (count !== 1) {
    throw new VerifyError(
      'VERIFY_SIGNATURE_COUNT',
      `expected exactly 1 DSSE signature, found ${count}`,
    );
  }
}

const MATERIALS = ['publicKey', 'x509CertificateChain', 'certificate'];

/**
 * Refuses verification material that sets more than one member of its
 * oneof: the protobuf reader keeps one silently (the key hint), another
 * reader could keep the certificate and name another signer.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED`.
 */
export function checkOneMaterial(json: Record<string, unknown>): void {
  const material = json.verificationMaterial;
  if (!isObject(material)) return; // the bundle parser refuses it
  const set = MATERIALS.filter((name) => material[name] !== undefined);
  if (set.length > 1) {
    throw malformed(
      `expected one of ${MATERIALS.join(', ')} in verificationMaterial, found ${set.join(' and ')}`,
    );
  }
}

/**
 * Parses the text of a Sigstore bundle (v0.1, v0.2 or v0.3) strictly: no
 * duplicate keys, bounded size and depth, a known media type, exactly one
 * DSSE signature, and the fields each version requires.
 *
 * @throws VerifyError `VERIFY_BUNDLE_EMPTY` for no bytes (or white space
 *   only), `VERIFY_BUNDLE_MALFORMED`, `VERIFY_BUNDLE_UNSUPPORTED` or
 *   `VERIFY_SIGNATURE_COUNT`.
 */
export function parseBundleText(text: string | Uint8Array): ParsedBundle {
  const json = parseText(text);
  if (!isObject(json)) throw malformed('expected a bundle JSON object');
  const version = versionOf(json);
  checkDsseSignatures(json);
  checkOneMaterial(json);
  checkBundleStrictly(json);
  if (
    (json.dsseEnvelope === undefined) ===
    (json.messageSignature === undefined)
  ) {
    throw malformed('expected one of dsseEnvelope and messageSignature');
  }
  try {
    return { bundle: bundleFromJSON(json), version };
  } catch (error) {
    throw malformed('bundle does not parse as a Sigstore bundle', error);
  }
}
