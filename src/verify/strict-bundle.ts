import { ASN1Obj } from '@sigstore/core';

import { checkDerCertificate } from '../crypto/certificate.js';
import { VerifyError } from '../errors.js';
import {
  checkBase64,
  checkCheckpointBase64,
  checkMediaType,
  checkMessageSignature,
  checkTlogFields,
} from './strict-fields.js';

/**
 * Checks of our own, made on the bundle's JSON before Sigstore verifies it,
 * for fields that `@sigstore/verify` 4 reads leniently or not at all (each
 * found by the mutation suite, test/fuzz/holes.test.ts):
 * - base64 in the envelope must be canonical, with no white space;
 * - each inclusion proof's root hash and tree size must be the signed
 *   checkpoint's, and nothing may follow the checkpoint's signatures;
 * - certificates must parse as strict DER X.509;
 * - a timestamp response must say its request was granted;
 * - the media type must be one the bundle specification defines, every
 *   other bytes field base64 without white space, and every int64 field a
 *   decimal string or an integer (see strict-fields.ts).
 *
 * @throws VerifyError naming the field: `VERIFY_BUNDLE_UNSUPPORTED` (media
 *   type), `VERIFY_BUNDLE_MALFORMED` (base64, int64, certificate),
 *   `VERIFY_TLOG_FAILED` (proof, checkpoint), `VERIFY_TIMESTAMP_FAILED`.
 */
export function checkBundleStrictly(bundle: unknown): void {
  // Not an object: the bundle parser says so, with its own message.
  if (typeof bundle !== 'object' || bundle === null) return;
  if (Array.isArray(bundle)) return;
  checkMediaType(bundle as Record<string, unknown>);
  checkMessageSignature(bundle as Record<string, unknown>);
  const b = bundle as Bundle;
  const envelope = b.dsseEnvelope;
  if (envelope) {
    canonicalBase64(envelope.payload, 'dsseEnvelope.payload');
    for (const [i, s] of list(envelope.signatures).entries()) {
      canonicalBase64(s.sig, `dsseEnvelope.signatures[${i}].sig`);
      checkKeyid(s.keyid, `dsseEnvelope.signatures[${i}].keyid`);
    }
  }
  const material = b.verificationMaterial ?? {};
  for (const [i, entry] of list(material.tlogEntries).entries()) {
    checkTlogFields(entry, i);
    if (entry.inclusionProof) checkProof(entry.inclusionProof, i);
  }
  const certs = material.certificate
    ? [material.certificate]
    : list(material.x509CertificateChain?.certificates);
  for (const [i, c] of certs.entries()) checkCertificate(c.rawBytes, i);
  const stamps = list(material.timestampVerificationData?.rfc3161Timestamps);
  for (const [i, t] of stamps.entries()) checkGranted(t.signedTimestamp, i);
}

/**
 * DSSE's keyid is an optional string, unsigned and only a hint: anything
 * else (`{}`, `-1`, `true`) is read by no two parsers alike, so refused.
 */
function checkKeyid(keyid: unknown, where: string): void {
  if (keyid === undefined || typeof keyid === 'string') return;
  const found = Array.isArray(keyid) ? 'array' : typeof keyid;
  malformed(`${where}: expected a string, found ${found}`);
}

/** A list that is not one is the bundle parser's to refuse. */
function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value.filter((v) => isRecord(v)) : [];
}

const isRecord = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Bundle {
  dsseEnvelope?: {
    payload?: unknown;
    signatures?: { sig?: unknown; keyid?: unknown }[];
  };
  verificationMaterial?: {
    tlogEntries?: { inclusionProof?: Proof }[];
    certificate?: { rawBytes?: unknown };
    x509CertificateChain?: { certificates?: { rawBytes?: unknown }[] };
    timestampVerificationData?: {
      rfc3161Timestamps?: { signedTimestamp?: unknown }[];
    };
  };
}

interface Proof {
  rootHash?: unknown;
  treeSize?: unknown;
  checkpoint?: { envelope?: unknown };
}

// Standard or URL-safe alphabet (DSSE allows both), never mixed, padding
// optional, no white space.
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL =
  /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

function canonicalBase64(value: unknown, where: string): void {
  if (
    typeof value === 'string' &&
    !BASE64.test(value) &&
    !BASE64URL.test(value)
  ) {
    malformed(`${where}: expected base64 without white space`);
  }
}

/**
 * A checkpoint is a signed note: origin, tree size, base64 root hash, maybe
 * extension lines, a blank line, then only signature lines ("— name sig").
 */
function checkProof(proof: Proof, i: number): void {
  const where = `tlogEntries[${i}].inclusionProof`;
  const note = proof.checkpoint?.envelope;
  if (typeof note !== 'string') return;
  const [body, signatures] = splitNote(note, where);
  const [, size, root] = body.split('\n');
  if (size !== String(proof.treeSize)) {
    tlogFailed(`${where}.treeSize: not the checkpoint's`);
  }
  const rootHex = Buffer.from(root ?? '', 'base64').toString('hex');
  const proofHex =
    typeof proof.rootHash === 'string'
      ? Buffer.from(proof.rootHash, 'base64').toString('hex')
      : '';
  if (rootHex === '' || rootHex !== proofHex) {
    tlogFailed(`${where}.rootHash: not the checkpoint's`);
  }
  if (!signatures.every((line) => line.startsWith('\u2014 '))) {
    tlogFailed(`${where}.checkpoint: text after the signatures`);
  }
  checkCheckpointBase64(body, signatures, where);
}

function splitNote(note: string, where: string): [string, string[]] {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) {
    tlogFailed(`${where}.checkpoint: not a signed note`);
  }
  const signatures = note.slice(split + 2, -1).split('\n');
  return [note.slice(0, split), signatures];
}

function checkCertificate(raw: unknown, i: number): void {
  checkBase64(raw, `certificate ${i}: rawBytes`);
  if (typeof raw !== 'string') return;
  try {
    // Portable (no OpenSSL): this module is part of the browser core.
    checkDerCertificate(Buffer.from(raw, 'base64'));
  } catch (cause) {
    throw new VerifyError(
      'VERIFY_BUNDLE_MALFORMED',
      `certificate ${i}: not a DER X.509 certificate`,
      { cause },
    );
  }
}

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo, token ... }. */
function checkGranted(value: unknown, i: number): void {
  checkBase64(value, `rfc3161Timestamps[${i}].signedTimestamp`);
  if (typeof value !== 'string') return;
  let status: number | undefined;
  try {
    const resp = ASN1Obj.parseBuffer(Buffer.from(value, 'base64'));
    const info = resp.subs[0];
    const integer = info?.subs[0];
    status = integer ? Number(integer.toInteger()) : undefined;
  } catch {
    status = undefined;
  }
  // 0 granted, 1 granted with modifications; anything else is a refusal.
  if (status !== 0 && status !== 1) {
    throw new VerifyError(
      'VERIFY_TIMESTAMP_FAILED',
      `rfc3161Timestamps[${i}]: the response did not grant`,
    );
  }
}

function malformed(message: string): never {
  throw new VerifyError('VERIFY_BUNDLE_MALFORMED', message);
}

function tlogFailed(message: string): never {
  throw new VerifyError('VERIFY_TLOG_FAILED', message);
}
