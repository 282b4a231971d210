import { VerifyError } from '../errors.js';

/**
 * Checks of the bundle fields that no signature covers and that
 * `@sigstore/verify` decodes leniently: its base64 decoder skips white
 * space and junk, its int64 reader turns `[]` into 0, and its media type
 * check accepts any version. Two verifiers must not read one bundle in two
 * ways, so each is refused here, naming the field.
 */

/** The media types of the Sigstore bundle specification, and versions. */
export const BUNDLE_MEDIA_TYPES: ReadonlyMap<unknown, '0.1' | '0.2' | '0.3'> =
  new Map<unknown, '0.1' | '0.2' | '0.3'>([
    ['application/vnd.dev.sigstore.bundle+json;version=0.1', '0.1'],
    ['application/vnd.dev.sigstore.bundle+json;version=0.2', '0.2'],
    ['application/vnd.dev.sigstore.bundle+json;version=0.3', '0.3'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', '0.3'],
  ]);

// Standard or URL-safe alphabet (proto3 JSON reads both), never mixed,
// padding optional, no white space.
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL =
  /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

/** The largest int64, as proto3 JSON writes it: a decimal string. */
const INT64_MAX = 2n ** 63n - 1n;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const malformed = (message: string): never => {
  throw new VerifyError('VERIFY_BUNDLE_MALFORMED', message);
};

/**
 * Refuses a media type that the bundle specification does not define.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` when there is none,
 *   `VERIFY_BUNDLE_UNSUPPORTED` for any other value.
 */
export function checkMediaType(bundle: Json): void {
  if (BUNDLE_MEDIA_TYPES.has(bundle.mediaType)) return;
  if (bundle.mediaType === undefined) malformed('mediaType: missing');
  const found = JSON.stringify(bundle.mediaType) ?? 'nothing';
  throw new VerifyError(
    'VERIFY_BUNDLE_UNSUPPORTED',
    `mediaType: expected a Sigstore bundle media type of version 0.1 to ` +
      `0.3, found ${found.slice(0, 80)}`,
  );
}

/**
 * Requires a bytes field, when present, to be base64 without white space.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` naming `where`.
 */
export function checkBase64(value: unknown, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    malformed(`${where}: expected a base64 string, found ${kind(value)}`);
  }
  const text = value as string;
  if (!BASE64.test(text) && !BASE64URL.test(text)) {
    malformed(`${where}: expected base64 without white space`);
  }
}

/**
 * Requires an int64 field, when present, to be a decimal string (as proto3
 * JSON writes it) or a safe integer, not negative, at most 2^63 - 1.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` naming `where`.
 */
export function checkInt64(value: unknown, where: string): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return;
    malformed(`${where}: expected a non-negative integer, found ${value}`);
  }
  if (typeof value !== 'string') {
    malformed(`${where}: expected a decimal string, found ${kind(value)}`);
  }
  const text = value as string;
  if (!/^(?:0|[1-9][0-9]{0,18})$/.test(text) || BigInt(text) > INT64_MAX) {
    malformed(`${where}: expected a decimal int64 string`);
  }
}

/**
 * Checks the fields of one transparency-log entry that are bytes or int64.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` naming the field.
 */
export function checkTlogFields(entry: unknown, i: number): void {
  const at = `tlogEntries[${i}]`;
  if (!isObject(entry)) return;
  checkInt64(entry.logIndex, `${at}.logIndex`);
  checkInt64(entry.integratedTime, `${at}.integratedTime`);
  checkBase64(entry.canonicalizedBody, `${at}.canonicalizedBody`);
  if (isObject(entry.logId)) checkBase64(entry.logId.keyId, `${at}.logId`);
  const promise = entry.inclusionPromise;
  if (isObject(promise)) {
    checkBase64(
      promise.signedEntryTimestamp,
      `${at}.inclusionPromise.signedEntryTimestamp`,
    );
  }
  const proof = entry.inclusionProof;
  if (!isObject(proof)) return;
  checkInt64(proof.logIndex, `${at}.inclusionProof.logIndex`);
  checkInt64(proof.treeSize, `${at}.inclusionProof.treeSize`);
  checkBase64(proof.rootHash, `${at}.inclusionProof.rootHash`);
  if (proof.hashes !== undefined && !Array.isArray(proof.hashes)) {
    malformed(`${at}.inclusionProof.hashes: expected a list`);
  }
  for (const [j, h] of ((proof.hashes as unknown[]) ?? []).entries()) {
    checkBase64(h, `${at}.inclusionProof.hashes[${j}]`);
  }
}

/**
 * A checkpoint's body names its root hash in standard base64, and each
 * signature line ends with one: both must be base64 without white space.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` naming the line.
 */
export function checkCheckpointBase64(
  body: string,
  signatures: readonly string[],
  where: string,
): void {
  const root = body.split('\n')[2] ?? '';
  if (root === '' || !BASE64.test(root)) {
    malformed(`${where}.checkpoint: expected a base64 root hash`);
  }
  for (const line of signatures) {
    const sig = line.split(' ').at(-1) ?? '';
    if (sig === '' || !BASE64.test(sig)) {
      malformed(`${where}.checkpoint: expected base64 signatures`);
    }
  }
}

/**
 * Checks the message signature's bytes fields, when the bundle has one.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` naming the field.
 */
export function checkMessageSignature(bundle: Json): void {
  const ms = bundle.messageSignature;
  if (!isObject(ms)) return;
  checkBase64(ms.signature, 'messageSignature.signature');
  if (isObject(ms.messageDigest)) {
    checkBase64(ms.messageDigest.digest, 'messageSignature.messageDigest');
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'a list' : typeof v;
}
