import type { DiskFile } from '../chain/disk.js';
import { finding, type Finding } from '../chain/findings.js';
import type { AttestationBytes } from '../chain/load.js';
import type { ManifestSource } from '../chain/manifest-subject.js';
import { sha256Hex } from '../crypto/hash.js';
import { comparePaths, unsafePathReason } from '../digest/posix-path.js';
import { combineDigests } from '../digest/root-digest.js';
import { DigestError, VerifyError } from '../errors.js';
import { MAX_BUNDLE_BYTES } from '../verify/bundle-limit.js';

/**
 * The files being deployed, by their path in the model bundle: a record of
 * path to SHA-256 hex, or a list of `{ name, sha256 }`.
 */
export type FileDigests =
  | Readonly<Record<string, string>>
  | readonly { name: string; sha256: string }[];

/** One attestation: the bytes of a Sigstore bundle, or its JSON text. */
export type BundleInput = Uint8Array | string;

// The one bundle limit, which the store and verify-bundle also hold to.
export { MAX_BUNDLE_BYTES };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks the files given and orders them as a manifest (by path, as the
 * OpenSSF Model Signing format orders them), with their root digest.
 *
 * @throws DigestError `DIGEST_EMPTY_MODEL` for no file, `DIGEST_BAD_PATH`
 *   for an unsafe or repeated path, `DIGEST_MALFORMED` for a digest that is
 *   not 64 lower-case hex characters.
 */
export function readFiles(given: FileDigests): {
  files: DiskFile[];
  rootDigest: string;
} {
  const list = listOf(given);
  if (list.length === 0) {
    throw new DigestError('DIGEST_EMPTY_MODEL', 'expected at least one file');
  }
  const seen = new Set<string>();
  const files: DiskFile[] = [];
  for (const [i, { name, sha256 }] of list.entries()) {
    const reason =
      typeof name === 'string' ? unsafePathReason(name) : 'is not text';
    if (typeof name !== 'string' || reason !== undefined || seen.has(name)) {
      const why = reason ?? 'is named twice';
      throw new DigestError('DIGEST_BAD_PATH', `file ${i}: its path ${why}`);
    }
    seen.add(name);
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw new DigestError(
        'DIGEST_MALFORMED',
        `${name}: expected 64 lower-case hex characters`,
      );
    }
    files.push({ name, sha256 });
  }
  files.sort((a, b) => comparePaths(a.name, b.name));
  return { files, rootDigest: combineDigests(files.map((f) => f.sha256)) };
}

/** Either form as a list; values are checked by the caller. */
function listOf(given: FileDigests): { name: unknown; sha256: unknown }[] {
  // Callers in plain JavaScript may pass anything: read it as unknown.
  const value: unknown = given;
  if (Array.isArray(value)) {
    return value.map((f: unknown) => {
      const item = (typeof f === 'object' && f !== null ? f : {}) as Record<
        string,
        unknown
      >;
      return { name: item.name, sha256: item.sha256 };
    });
  }
  if (typeof value !== 'object' || value === null) {
    throw new DigestError('DIGEST_EMPTY_MODEL', 'expected the files given');
  }
  const entries: [string, unknown][] = Object.entries(value);
  return entries.map(([name, sha256]) => ({ name, sha256 }));
}

/**
 * Names each bundle by the SHA-256 of its bytes, as the store does, drops
 * repeats and orders them by name. A bundle over the store's size limit
 * becomes an `ATTESTATION_MALFORMED` finding instead of an entry.
 *
 * @throws VerifyError `VERIFY_BUNDLE_MALFORMED` for bundles that are not
 *   a list, or one that is neither bytes nor text.
 */
export function readBundles(given: readonly BundleInput[]): {
  entries: AttestationBytes[];
  findings: Finding[];
} {
  const list = arrayOf(given);
  if (list === undefined) {
    throw new VerifyError(
      'VERIFY_BUNDLE_MALFORMED',
      `bundles: expected a list of bundles, found ${kindOf(given)}`,
    );
  }
  const byId = new Map<string, AttestationBytes>();
  const findings: Finding[] = [];
  for (const [i, input] of list.entries()) {
    const bytes = toBytes(input, i);
    const id = sha256Hex(bytes);
    if (bytes.length > MAX_BUNDLE_BYTES) {
      const message = `attestation is ${bytes.length} bytes, limit ${MAX_BUNDLE_BYTES}`;
      findings.push(
        finding('ATTESTATION_MALFORMED', message, { attestation: id }),
      );
    } else {
      byId.set(id, { id, bytes });
    }
  }
  const entries = [...byId.values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return { entries, findings };
}

/**
 * The manifests that statements may name in place of file lists, found by
 * the SHA-256 of their bytes (the loader checks the digest again).
 *
 * @throws DigestError `DIGEST_MALFORMED` for manifests that are not a list,
 *   or one that is neither bytes nor text.
 */
export function readManifests(
  given: readonly BundleInput[] | undefined,
): ManifestSource | undefined {
  if (given === undefined) return undefined;
  const list = arrayOf(given);
  if (list === undefined) {
    throw new DigestError(
      'DIGEST_MALFORMED',
      `manifests: expected a list of manifests, found ${kindOf(given)}`,
    );
  }
  const byDigest = new Map<string, Uint8Array>();
  for (const [i, input] of list.entries()) {
    const bytes = asBytes(input);
    if (bytes === undefined) {
      throw new DigestError(
        'DIGEST_MALFORMED',
        `manifest ${i}: expected its bytes (Uint8Array) or text`,
      );
    }
    byDigest.set(sha256Hex(bytes), bytes);
  }
  return { read: (sha256) => Promise.resolve(byDigest.get(sha256)) };
}

function toBytes(input: unknown, i: number): Uint8Array {
  const bytes = asBytes(input);
  if (bytes !== undefined) return bytes;
  throw new VerifyError(
    'VERIFY_BUNDLE_MALFORMED',
    `bundle ${i}: expected its bytes (Uint8Array) or JSON text`,
  );
}

function asBytes(input: unknown): Uint8Array | undefined {
  if (typeof input === 'string') return new TextEncoder().encode(input);
  return input instanceof Uint8Array ? input : undefined;
}

/** Callers in plain JavaScript may pass anything where a list is due. */
function arrayOf(given: unknown): readonly unknown[] | undefined {
  return Array.isArray(given) ? (given as unknown[]) : undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}
