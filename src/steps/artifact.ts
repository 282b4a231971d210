import { foldCollision, unsafePathReason } from '../digest/posix-path.js';
import { StatementError } from '../errors.js';

/** One file, named by its POSIX path relative to its bundle root. */
export interface Artifact {
  /** Safe relative POSIX path, e.g. `model.safetensors` or `tok/vocab.json`. */
  name: string;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  /**
   * Every digest the statement gives, `sha256` included, when it gives
   * more than `sha256`: links compare them all (see `compareDigests`).
   */
  digest?: Readonly<Record<string, string>>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks an artifact's name and digest.
 *
 * @param a - The artifact.
 * @param at - Where it sits, for the message.
 * @throws {@link StatementError} `STATEMENT_DESCRIPTOR_INVALID` for an
 *   unsafe name, `STATEMENT_DIGEST_INVALID` for a bad digest.
 */
export function checkArtifact(
  a: { name: unknown; sha256: unknown },
  at: string,
): asserts a is Artifact {
  const reason =
    typeof a.name === 'string' ? unsafePathReason(a.name) : 'is not a string';
  if (reason !== undefined) {
    throw new StatementError(
      'STATEMENT_DESCRIPTOR_INVALID',
      `${at}.name: expected a safe relative POSIX path, but it ${reason}`,
    );
  }
  if (typeof a.sha256 !== 'string' || !SHA256_HEX.test(a.sha256)) {
    throw new StatementError(
      'STATEMENT_DIGEST_INVALID',
      `${at}: expected a sha256 digest of 64 lower-case hex characters`,
    );
  }
}

/**
 * Checks that no two artifacts share a name.
 *
 * @param list - The artifacts.
 * @param at - Where they sit, for the message.
 * @throws {@link StatementError} `STATEMENT_INVALID` on a duplicate, or
 *   two names that fold to one (Unicode normalization, case).
 */
export function checkUniqueNames(
  list: readonly { name: string }[],
  at: string,
): void {
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) {
      throw new StatementError(
        'STATEMENT_INVALID',
        `${at}: expected unique names, found ${JSON.stringify(name)} twice`,
      );
    }
    seen.add(name);
  }
  const collision = foldCollision(seen);
  if (collision) {
    throw new StatementError(
      'STATEMENT_INVALID',
      `${at}: ${JSON.stringify(collision[0])} and ` +
        `${JSON.stringify(collision[1])} are one name after Unicode ` +
        'normalization or case folding',
    );
  }
}
