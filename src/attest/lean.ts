import { foldPath } from '../digest/posix-path.js';
import { encodeEnvelope } from '../dsse/index.js';
import { StatementError } from '../errors.js';
import { sha256Hex } from '../store/content-address.js';
import { PAYLOAD_TYPE, type Statement } from '../statement/index.js';
import {
  buildStepStatement,
  encodeManifest,
  type Artifact,
  type StepDescription,
} from '../steps/index.js';

/**
 * When a step's statement names manifests instead of listing files:
 * `auto` when listing would make the DSSE envelope larger than the byte
 * budget, `always`, or `never`.
 */
export type ManifestSubjectMode = 'auto' | 'always' | 'never';

/**
 * The default byte budget of a step's DSSE envelope under `auto`: 64 KiB,
 * two thirds of the ~100 KB that public Rekor was documented to accept,
 * leaving room for the request's certificate and framing. A listed file
 * costs about 120 to 200 envelope bytes (its path, 64 hex digits, JSON,
 * then base64), so a step of a few hundred files switches (see
 * docs/concepts.md for the measured sizes).
 */
export const DEFAULT_MANIFEST_SUBJECT_ABOVE = 64 * 1024;

/** Room kept for the signature: an RSA-4096 one, the largest made here. */
const SIGNATURE_ROOM = new Uint8Array(512);

/** A statement and the manifests it names, to be stored before signing. */
export interface LeanStatement {
  statement: Statement;
  /** Manifest bytes (see `encodeManifest`), none when files are listed. */
  manifests: Uint8Array[];
}

/**
 * The size in bytes of the DSSE envelope JSON that would carry `statement`
 * as the signer serializes it, with room for one signature.
 *
 * @param statement - The statement.
 */
export function envelopeSize(statement: Statement): number {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  return encodeEnvelope({
    payload,
    payloadType: PAYLOAD_TYPE,
    signatures: [{ keyid: '', sig: SIGNATURE_ROOM }],
  }).length;
}

/**
 * Builds a step's statement, listing its files or, when the mode says so,
 * naming manifests of them instead: one for the outputs (beside the bundle
 * subject) and one per input role.
 *
 * @param step - The step, with every file listed.
 * @param mode - `auto` (default), `always` or `never`.
 * @param above - Under `auto`, the envelope size in bytes above which
 *   manifests are named; default {@link DEFAULT_MANIFEST_SUBJECT_ABOVE}.
 * @throws StatementError as `buildStepStatement`, and
 *   `STATEMENT_INVALID` for an unknown mode or a budget that is not a
 *   non-negative integer.
 */
export function buildLeanStatement(
  step: StepDescription,
  mode: ManifestSubjectMode = 'auto',
  above = DEFAULT_MANIFEST_SUBJECT_ABOVE,
): LeanStatement {
  checkMode(mode, above);
  const listed = buildStepStatement(step);
  if (mode === 'never' || (mode === 'auto' && envelopeSize(listed) <= above)) {
    return { statement: listed, manifests: [] };
  }

  const outputs = encodeManifest(step.outputs);
  const inputs = byRole(step.inputs).map(({ role, files }) => ({
    role,
    bytes: encodeManifest(files),
  }));
  const statement = buildStepStatement({
    ...step,
    outputsManifest: sha256Hex(outputs),
    inputManifests: inputs.map(({ role, bytes }) => ({
      sha256: sha256Hex(bytes),
      ...(role === undefined ? {} : { role }),
    })),
  });
  return { statement, manifests: [outputs, ...inputs.map((i) => i.bytes)] };
}

const MODES: readonly string[] = ['auto', 'always', 'never'];

function checkMode(mode: unknown, above: unknown): void {
  if (!MODES.includes(mode as string)) {
    throw new StatementError(
      'STATEMENT_INVALID',
      `manifestSubject: expected auto, always or never, found ${String(mode)}`,
    );
  }
  if (!Number.isSafeInteger(above) || (above as number) < 0) {
    throw new StatementError(
      'STATEMENT_INVALID',
      'manifestSubjectAbove: expected a non-negative integer of bytes',
    );
  }
}

/**
 * Groups inputs by role; a name met twice in a role (two input folders
 * each with a config.json) opens another manifest, as one lists a name once.
 */
function byRole(
  inputs: readonly (Artifact & { role?: string })[],
): { role?: string; files: Artifact[] }[] {
  const groups: { role?: string; files: Artifact[]; names: Set<string> }[] = [];
  for (const { name, sha256, role } of inputs) {
    const key = foldPath(name);
    let group = groups.find((g) => g.role === role && !g.names.has(key));
    if (group === undefined) {
      group = {
        ...(role === undefined ? {} : { role }),
        files: [],
        names: new Set(),
      };
      groups.push(group);
    }
    group.files.push({ name, sha256 });
    group.names.add(key);
  }
  return groups.map(({ role, files }) =>
    role === undefined ? { files } : { role, files },
  );
}
