import { isAbsolute, relative, resolve, sep } from 'node:path';

import { InteropError } from '../errors.js';
import { parseStrictJsonBytes } from '../json/strict.js';

/** The parts of a model.sig bundle that verification reads. */
export interface OmsBundle {
  /** The bundle as parsed, for Sigstore verification. */
  json: Record<string, unknown>;
  payload: Buffer;
  payloadType: string;
  signature: Buffer;
  /** DER certificates of `x509CertificateChain` or `certificate`, leaf first. */
  certificates: Buffer[];
}

/** model.sig files are small; anything larger is refused unread. */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a model.sig (a Sigstore bundle holding a DSSE envelope) strictly:
 * UTF-8, no duplicate keys, exactly one signature, base64 fields that are
 * base64. Nothing here is verified yet.
 *
 * @throws InteropError `OMS_MALFORMED`.
 */
export function readOmsBundle(bytes: Uint8Array): OmsBundle {
  if (bytes.byteLength > MAX_SIGNATURE_BYTES) malformed('larger than 4 MiB');
  let json: unknown;
  try {
    json = parseStrictJsonBytes(bytes, 32);
  } catch (cause) {
    throw new InteropError('OMS_MALFORMED', 'model.sig is not strict JSON', {
      cause,
    });
  }
  const bundle = record(json, 'bundle');
  const envelope = record(bundle.dsseEnvelope, 'dsseEnvelope');
  const signatures = envelope.signatures;
  if (!Array.isArray(signatures) || signatures.length !== 1) {
    malformed('expected exactly one DSSE signature');
  }
  const signature = record(signatures[0], 'dsseEnvelope.signatures[0]');
  const material = record(bundle.verificationMaterial, 'verificationMaterial');
  return {
    json: bundle,
    payload: base64(envelope.payload, 'dsseEnvelope.payload'),
    payloadType: text(envelope.payloadType, 'dsseEnvelope.payloadType'),
    signature: base64(signature.sig, 'dsseEnvelope.signatures[0].sig'),
    certificates: certificatesOf(material),
  };
}

function certificatesOf(material: Record<string, unknown>): Buffer[] {
  if (material.certificate !== undefined) {
    const cert = record(material.certificate, 'certificate');
    return [base64(cert.rawBytes, 'certificate.rawBytes')];
  }
  if (material.x509CertificateChain === undefined) return [];
  const chain = record(material.x509CertificateChain, 'x509CertificateChain');
  if (!Array.isArray(chain.certificates))
    malformed('certificates: expected a list');
  return (chain.certificates as unknown[]).map((c, i) =>
    base64(record(c, `certificates[${i}]`).rawBytes, `certificates[${i}]`),
  );
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(`${where}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') malformed(`${where}: expected a string`);
  return value;
}

function base64(value: unknown, where: string): Buffer {
  const s = text(value, where);
  if (!BASE64.test(s) || s.length % 4 === 1) malformed(`${where}: not base64`);
  return Buffer.from(s, 'base64');
}

function malformed(what: string): never {
  throw new InteropError('OMS_MALFORMED', `model.sig: ${what}`);
}

/**
 * The signature file's path relative to the model, as an ignore entry, when
 * it lies inside the model folder: model_signing never hashes its own
 * signature, neither when signing nor when verifying.
 */
export function insideModel(
  modelPath: string,
  signaturePath: string,
): string[] {
  const rel = relative(resolve(modelPath), resolve(signaturePath));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return [];
  return [rel.split(sep).join('/')];
}
