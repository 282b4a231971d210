import { StatementError } from '../errors.js';

/** A step kind: one of the built-in four, or a user-defined name. */
export type StepKind =
  'export' | 'quantize' | 'adapter-attach' | 'repackage' | (string & {});

/** The built-in step kinds, whose parameters have a fixed schema. */
export const BUILT_IN_KINDS: readonly StepKind[] = [
  'export',
  'quantize',
  'adapter-attach',
  'repackage',
];

/** Prefix of every build type this project defines. */
export const BUILD_TYPE_BASE = 'https://model-provenance.dev/build-types/';

/** The one build type version this code writes and reads. */
const VERSION_SUFFIX = '/v1';

const KIND = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Returns the SLSA build type URI of a step kind:
 * `BUILD_TYPE_BASE + kind + '/v1'`.
 *
 * @param kind - Lower-case letters, digits and `-`, starting with a letter,
 *   at most 63 characters.
 * @returns The build type URI.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID` for a kind
 *   that does not match.
 * @example
 * buildTypeFor('quantize');
 * // 'https://model-provenance.dev/build-types/quantize/v1'
 */
export function buildTypeFor(kind: StepKind): string {
  checkKind(kind);
  return BUILD_TYPE_BASE + kind + VERSION_SUFFIX;
}

/**
 * Reads the step kind back from a build type URI.
 *
 * @param buildType - A build type URI.
 * @returns The kind.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID` when the URI
 *   is not a v1 build type of this project.
 */
export function kindFromBuildType(buildType: string): StepKind {
  if (
    !buildType.startsWith(BUILD_TYPE_BASE) ||
    !buildType.endsWith(VERSION_SUFFIX)
  ) {
    throw new StatementError(
      'STATEMENT_PREDICATE_INVALID',
      `expected a build type ${BUILD_TYPE_BASE}<kind>${VERSION_SUFFIX}, ` +
        `found ${JSON.stringify(buildType)}`,
    );
  }
  const kind = buildType.slice(BUILD_TYPE_BASE.length, -VERSION_SUFFIX.length);
  checkKind(kind);
  return kind;
}

function checkKind(kind: string): void {
  if (!KIND.test(kind)) {
    throw new StatementError(
      'STATEMENT_PREDICATE_INVALID',
      `expected a step kind matching ${String(KIND)}, found ` +
        JSON.stringify(kind),
    );
  }
}
