import { DigestError } from '../errors.js';
import {
  combineDigests,
  serializeModel,
  SHA256_HEX,
  type ProgressCallback,
  type Serialization,
} from './serialize.js';

export { STORE_DIR } from './store-dir.js';

/** One file of a model bundle. */
export interface ManifestEntry {
  /** POSIX path relative to the model root; `.` when the model is a file. */
  path: string;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** The sorted files of a bundle and the digest that names them together. */
export interface Manifest {
  /** Entries in OpenSSF Model Signing order (see `comparePaths`). */
  entries: ManifestEntry[];
  /** {@link rootDigest} of the entries. */
  rootDigest: string;
  /** How the entries were made, ignore patterns included. */
  serialization?: Serialization;
}

/** Options of {@link digestModel}. */
export interface DigestModelOptions {
  /**
   * Paths to skip, relative POSIX paths: an exact file or directory, or a
   * pattern with `*`, `?` and `**`. `.mprov` and `.git` are always skipped.
   */
  ignore?: string[];
  /** Hash links to files inside the model as their target (default off). */
  allowSymlinks?: boolean;
  /** Hashing threads for this call; default the shared pool (one a core). */
  threads?: number;
  /** Progress, in bytes. */
  onProgress?: ProgressCallback;
}

/**
 * Hashes a model (a directory, or a single file) into a manifest whose root
 * digest equals the subject digest of an OpenSSF Model Signing statement
 * with `files` serialization and SHA-256 over the same files. Files are
 * hashed in parallel worker threads; see `serializeModel` for shards and
 * BLAKE2b.
 *
 * `.mprov` and `.git` at the root are always ignored. Symbolic links and
 * special files are refused, not skipped, unless `allowSymlinks` admits
 * links to files inside the model. A single-file model yields one entry
 * named `.`, as OpenSSF Model Signing names it.
 *
 * @param root - The model directory or file.
 * @param opts - Paths to ignore, links, threads, progress.
 * @returns The manifest.
 * @throws {@link DigestError} `DIGEST_EMPTY_MODEL`, `DIGEST_BAD_PATH`,
 *   `DIGEST_SYMLINK`, `DIGEST_SYMLINK_ESCAPE`, `DIGEST_NOT_A_FILE`,
 *   `DIGEST_FILE_CHANGED`, `DIGEST_READ_FAILED`, `DIGEST_BAD_OPTIONS`,
 *   `DIGEST_WORKER_FAILED`.
 * @example
 * const { entries, rootDigest } = await digestModel('out/model', {
 *   ignore: ['logs'],
 * });
 */
export async function digestModel(
  root: string,
  opts: DigestModelOptions = {},
): Promise<Manifest> {
  const model = await serializeModel(root, {
    ...opts,
    serialization: 'files',
    hash: 'sha256',
  });
  const entries = model.resources.map((r) => ({
    path: r.path,
    sha256: r.digest,
    size: r.end - r.start,
  }));
  return {
    entries,
    rootDigest: model.rootDigest,
    serialization: model.serialization,
  };
}

/**
 * Computes the root digest of a manifest as OpenSSF Model Signing does for
 * `files` serialization: SHA-256 over the concatenated raw (binary) file
 * digests, in the order given.
 *
 * @param entries - Per-file digests, already sorted.
 * @returns The lower-case hex root digest.
 * @throws {@link DigestError} `DIGEST_MALFORMED` if a digest is not 64
 *   lower-case hex characters.
 */
export function rootDigest(entries: readonly { sha256: string }[]): string {
  for (const [i, entry] of entries.entries()) {
    if (!SHA256_HEX.test(entry.sha256)) {
      throw new DigestError(
        'DIGEST_MALFORMED',
        `expected 64 lower-case hex characters at entry ${i}`,
      );
    }
  }
  return combineDigests(entries.map((e) => e.sha256));
}
