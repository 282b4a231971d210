import canonicalizeModule from 'canonicalize';

import { comparePaths } from '../digest/posix-path.js';
import { StatementError } from '../errors.js';
import { parseStrictJsonBytes } from '../json/strict.js';
import { checkArtifact, checkUniqueNames, type Artifact } from './artifact.js';

// The package's types declare `export default`, but its CommonJS module
// exports the function itself, which is what an ESM default import yields.
const canonicalize = canonicalizeModule as unknown as (
  input: unknown,
) => string | undefined;

/**
 * Media type of a file manifest, and of the descriptor that names one in a
 * statement's subject or resolvedDependencies in place of a list of files.
 */
export const MANIFEST_MEDIA_TYPE =
  'application/vnd.model-provenance.manifest+json; version=1';

/** The `name` given to the descriptor of a step's output manifest. */
export const MANIFEST_SUBJECT_NAME = 'manifest';

/** A manifest nests three levels deep; anything deeper is refused. */
const MAX_MANIFEST_DEPTH = 4;

const MANIFEST_KEYS = ['files', 'mediaType'];
const ENTRY_KEYS = ['digest', 'name'];

/**
 * Encodes files as a manifest: RFC 8785 canonical JSON of
 * `{ mediaType, files: [{ name, digest: { sha256 } }] }`, the files sorted
 * by path, so the same files always give the same bytes and digest.
 *
 * @param files - The files; safe relative names, unique, sha256 digests.
 * @returns The manifest's UTF-8 bytes.
 * @throws {@link StatementError} `STATEMENT_DESCRIPTOR_INVALID`,
 *   `STATEMENT_DIGEST_INVALID` or `STATEMENT_INVALID` (none, or a duplicate).
 */
export function encodeManifest(files: readonly Artifact[]): Uint8Array {
  files.forEach((a, i) => checkArtifact(a, `manifest.files[${i}]`));
  checkUniqueNames(files, 'manifest.files');
  if (files.length === 0) {
    throw invalid('expected at least one file');
  }
  const sorted = [...files].sort((a, b) => comparePaths(a.name, b.name));
  const text = canonicalize({
    mediaType: MANIFEST_MEDIA_TYPE,
    files: sorted.map((f) => ({ name: f.name, digest: { sha256: f.sha256 } })),
  });
  return new TextEncoder().encode(text);
}

/**
 * Reads a manifest's bytes strictly: strict UTF-8 JSON without duplicate
 * keys, this version's media type, no unknown field, every name safe and
 * unique, files sorted, and the bytes in canonical form. Check the bytes'
 * digest before calling this.
 *
 * @param bytes - The manifest as stored.
 * @returns Its files, in manifest order.
 * @throws {@link StatementError} `STATEMENT_INVALID` for anything but a
 *   canonical manifest of this version; `STATEMENT_DESCRIPTOR_INVALID` or
 *   `STATEMENT_DIGEST_INVALID` for a bad entry.
 */
export function decodeManifest(bytes: Uint8Array): Artifact[] {
  let json: unknown;
  try {
    json = parseStrictJsonBytes(bytes, MAX_MANIFEST_DEPTH);
  } catch (cause) {
    throw new StatementError('STATEMENT_INVALID', 'manifest: not strict JSON', {
      cause,
    });
  }
  if (!hasExactKeys(json, MANIFEST_KEYS)) {
    throw invalid('expected exactly the fields files and mediaType');
  }
  if (json.mediaType !== MANIFEST_MEDIA_TYPE) {
    throw invalid(`expected mediaType ${JSON.stringify(MANIFEST_MEDIA_TYPE)}`);
  }
  if (!Array.isArray(json.files)) throw invalid('files: expected an array');
  const files = json.files.map(entry);
  const again = encodeManifest(files);
  if (!sameBytes(again, bytes)) {
    throw invalid('expected canonical JSON with files sorted by name');
  }
  return files;
}

function entry(v: unknown, i: number): Artifact {
  const at = `manifest.files[${i}]`;
  if (!hasExactKeys(v, ENTRY_KEYS) || !hasExactKeys(v.digest, ['sha256'])) {
    throw invalid(`files[${i}]: expected { name, digest: { sha256 } }`);
  }
  const a = { name: v.name, sha256: v.digest.sha256 };
  checkArtifact(a, at);
  return a;
}

function hasExactKeys(
  v: unknown,
  keys: readonly string[],
): v is Record<string, unknown> & { digest: unknown } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const own = Object.keys(v).sort();
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function invalid(what: string): StatementError {
  return new StatementError('STATEMENT_INVALID', `manifest: ${what}`);
}
