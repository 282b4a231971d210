import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

import { DigestError } from '../errors.js';
import { hashFile } from './file.js';
import { comparePaths, unsafePathReason } from './posix-path.js';
import { listFiles } from './walk.js';

/** The attestation store kept beside a bundle; never part of the model. */
export const STORE_DIR = '.mprov';

/** Paths ignored in every model directory, relative to its root. */
const ALWAYS_IGNORED = [STORE_DIR, '.git'];

/** How many files are read at once; hashing itself stays on one thread. */
const CONCURRENCY = 4;

const SHA256_HEX = /^[0-9a-f]{64}$/;

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
  /** Entries in OpenSSF Model Signing order (see {@link comparePaths}). */
  entries: ManifestEntry[];
  /** {@link rootDigest} of the entries. */
  rootDigest: string;
}

/** Options of {@link digestModel}. */
export interface DigestModelOptions {
  /** Relative POSIX paths to skip: an exact file or a directory prefix. */
  ignore?: string[];
}

/**
 * Hashes a model (a directory, or a single file) into a manifest whose root
 * digest equals the subject digest of an OpenSSF Model Signing statement
 * with `files` serialization over the same files.
 *
 * `.mprov` and `.git` at the root are always ignored. Symbolic links and
 * special files are refused, not skipped. A single-file model yields one
 * entry named `.`, as OpenSSF Model Signing names it.
 *
 * @param root - The model directory or file.
 * @param opts - Paths to ignore.
 * @returns The manifest.
 * @throws {@link DigestError} `DIGEST_EMPTY_MODEL`, `DIGEST_BAD_PATH`,
 *   `DIGEST_SYMLINK`, `DIGEST_NOT_A_FILE`, `DIGEST_FILE_CHANGED`,
 *   `DIGEST_READ_FAILED`.
 * @example
 * const { entries, rootDigest } = await digestModel('out/model', {
 *   ignore: ['logs'],
 * });
 */
export async function digestModel(
  root: string,
  opts: DigestModelOptions = {},
): Promise<Manifest> {
  const ignored = ignoreSet(opts.ignore ?? []);
  const stats = await lstatOrThrow(root);
  if (stats.isFile()) {
    const { sha256, size } = await hashFile(root);
    const entries = [{ path: '.', sha256, size }];
    return { entries, rootDigest: rootDigest(entries) };
  }
  if (!stats.isDirectory()) {
    // hashFile names the exact refusal: link or special file.
    await hashFile(root);
  }

  const paths = (await listFiles(root, ignored)).sort(comparePaths);
  if (paths.length === 0) {
    throw new DigestError(
      'DIGEST_EMPTY_MODEL',
      `expected at least one file in ${root}, found none after ignores`,
    );
  }
  const entries = await hashAll(root, paths);
  return { entries, rootDigest: rootDigest(entries) };
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
  const hash = createHash('sha256');
  for (const [i, entry] of entries.entries()) {
    if (!SHA256_HEX.test(entry.sha256)) {
      throw new DigestError(
        'DIGEST_MALFORMED',
        `expected 64 lower-case hex characters at entry ${i}`,
      );
    }
    hash.update(Buffer.from(entry.sha256, 'hex'));
  }
  return hash.digest('hex');
}

function ignoreSet(ignore: readonly string[]): Set<string> {
  for (const path of ignore) {
    const reason = unsafePathReason(path);
    if (reason !== undefined) {
      throw new DigestError(
        'DIGEST_BAD_PATH',
        `ignore path ${JSON.stringify(path)} ${reason}`,
      );
    }
  }
  return new Set([...ALWAYS_IGNORED, ...ignore]);
}

async function hashAll(
  root: string,
  paths: readonly string[],
): Promise<ManifestEntry[]> {
  const entries = new Array<ManifestEntry>(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < paths.length; i = next++) {
      const path = paths[i];
      const { sha256, size } = await hashFile(join(root, path));
      entries[i] = { path, sha256, size };
    }
  };
  const workers = Math.min(CONCURRENCY, paths.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return entries;
}

async function lstatOrThrow(path: string): ReturnType<typeof lstat> {
  try {
    return await lstat(path);
  } catch (cause) {
    throw new DigestError('DIGEST_READ_FAILED', `cannot read ${path}`, {
      cause,
    });
  }
}
