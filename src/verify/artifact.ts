import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

import { VerifyError } from '../errors.js';

/**
 * What a bundle is checked against: a file, bytes in memory, or only the
 * SHA-256 digest of the artifact as `sha256:<64 hex>`.
 */
export type ArtifactInput =
  { path: string } | { bytes: Uint8Array } | { digest: string };

/** Hash algorithms an artifact is known by. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** An artifact as verification sees it: its digests, maybe its bytes. */
export interface ResolvedArtifact {
  /** Lower-case hex digests; `sha256` always, the others when hashed. */
  digests: Partial<Record<DigestAlgorithm, string>> & { sha256: string };
  /** The bytes, when they were given or the file is small enough. */
  bytes?: Buffer;
}

/** Files up to this size are read whole so that Sigstore can hash them. */
export const MAX_IN_MEMORY_BYTES = 256 * 1024 * 1024;

const ALGORITHMS: DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];
const DIGEST = /^sha256:([0-9a-fA-F]{64})$/;

const invalid = (message: string, cause?: unknown) =>
  new VerifyError('VERIFY_ARTIFACT_INVALID', message, { cause });

function hashAll(bytes: Uint8Array): ResolvedArtifact['digests'] {
  const [sha256, sha384, sha512] = ALGORITHMS.map((a) =>
    createHash(a).update(bytes).digest('hex'),
  );
  return { sha256: sha256 ?? '', sha384, sha512 };
}

/** Streams the file once through every hash, keeping small files whole. */
async function readArtifact(path: string): Promise<ResolvedArtifact> {
  const info = await stat(path);
  if (!info.isFile()) throw invalid(`expected a regular file at ${path}`);
  const keep = info.size <= MAX_IN_MEMORY_BYTES;
  const hashes = ALGORITHMS.map((a) => createHash(a));
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    for (const hash of hashes) hash.update(buffer);
    if (keep) chunks.push(buffer);
  }
  const [sha256, sha384, sha512] = hashes.map((h) => h.digest('hex'));
  const digests = { sha256: sha256 ?? '', sha384, sha512 };
  return keep ? { digests, bytes: Buffer.concat(chunks) } : { digests };
}

/**
 * Resolves what the bundle is checked against into digests (and bytes when
 * available).
 *
 * @throws VerifyError `VERIFY_ARTIFACT_INVALID` for a digest that is not
 *   `sha256:` and 64 lower-case hex digits, or a file that cannot be read.
 */
export async function resolveArtifact(
  input: ArtifactInput,
): Promise<ResolvedArtifact> {
  if ('digest' in input) {
    const hex = DIGEST.exec(input.digest)?.[1];
    if (hex === undefined) {
      throw invalid('expected a digest of the form sha256:<64 hex digits>');
    }
    return { digests: { sha256: hex.toLowerCase() } };
  }
  if ('bytes' in input) {
    const bytes = Buffer.from(input.bytes);
    return { digests: hashAll(bytes), bytes };
  }
  try {
    return await readArtifact(input.path);
  } catch (error) {
    if (error instanceof VerifyError) throw error;
    throw invalid(`cannot read the artifact ${input.path}`, error);
  }
}
