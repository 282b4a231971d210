import { VerifyError } from '../errors.js';
import { parseStrictJson } from '../json/strict.js';
import { compareDigests } from '../statement/digest-match.js';
import type { DigestAlgorithm, ResolvedArtifact } from './artifact.js';

/** The subject of the statement that the artifact matched. */
export interface MatchedSubject {
  name?: string;
  /** The algorithm the match was made with, e.g. `sha512`. */
  algorithm: DigestAlgorithm;
}

const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = new Set<unknown>([
  'https://in-toto.io/Statement/v0.1',
  'https://in-toto.io/Statement/v1',
]);

const mismatch = (message: string) =>
  new VerifyError('VERIFY_SUBJECT_MISMATCH', message);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The subjects of the verified payload, parsed from those exact bytes. */
function subjectsOf(payloadType: string, payload: Buffer): unknown[] {
  if (payloadType !== IN_TOTO_PAYLOAD) {
    throw mismatch(
      `expected payload type ${IN_TOTO_PAYLOAD}, found ${JSON.stringify(payloadType)}`,
    );
  }
  let statement: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    statement = parseStrictJson(text);
  } catch (cause) {
    throw new VerifyError(
      'VERIFY_SUBJECT_MISMATCH',
      'expected the payload to be an in-toto statement in strict JSON',
      { cause },
    );
  }
  if (!isObject(statement) || !STATEMENT_TYPES.has(statement._type)) {
    throw mismatch('expected an in-toto statement (_type v0.1 or v1)');
  }
  if (!Array.isArray(statement.subject)) {
    throw mismatch('expected the statement to have a subject list');
  }
  return statement.subject;
}

/**
 * How one subject compares with the artifact, by the one digest rule
 * (`compareDigests`): the algorithm of the match, `differs`, or unknown.
 */
function compare(
  subject: unknown,
  artifact: ResolvedArtifact,
): DigestAlgorithm | 'differs' | undefined {
  if (!isObject(subject) || !isObject(subject.digest)) return undefined;
  // A value that is not a string is malformed: it never matches.
  const claimed = Object.fromEntries(
    Object.entries(subject.digest).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : '',
    ]),
  );
  const digests = Object.fromEntries(
    Object.entries(artifact.digests).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const compared = compareDigests(claimed, digests);
  if (compared.result === 'match') {
    return compared.algorithms[0] as DigestAlgorithm;
  }
  const differs =
    compared.result === 'mismatch' || compared.result === 'malformed';
  return differs ? 'differs' : undefined;
}

/**
 * Requires the artifact to be a subject of the verified in-toto statement:
 * some subject must carry a digest that equals the artifact's in an
 * algorithm known for both (sha256, sha384, sha512), and none of its
 * shared digests may differ; hex is compared exactly, in lower case as
 * in-toto prescribes. Sigstore itself never makes this check for DSSE.
 *
 * @throws VerifyError `VERIFY_SUBJECT_MISMATCH` when no subject matches, the
 *   payload is not an in-toto statement, or it is not strict JSON.
 */
export function matchSubject(
  payloadType: string,
  payload: Buffer,
  artifact: ResolvedArtifact,
): MatchedSubject {
  const subjects = subjectsOf(payloadType, payload);
  for (const subject of subjects) {
    const result = compare(subject, artifact);
    if (result === undefined || result === 'differs') continue;
    const name = isObject(subject) ? subject.name : undefined;
    return typeof name === 'string'
      ? { name, algorithm: result }
      : { algorithm: result };
  }
  const known = Object.keys(artifact.digests).join(', ');
  throw mismatch(
    `expected a subject with the artifact's digest (${known}), found none among ${subjects.length} subjects`,
  );
}
