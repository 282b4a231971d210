import { StatementError } from '../errors.js';
import {
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE,
  validateSlsaProvenance,
  validateStatement,
  type ResourceDescriptor,
  type Statement,
} from '../statement/index.js';
import { checkArtifact, checkUniqueNames, type Artifact } from './artifact.js';
import { kindFromBuildType, type StepKind } from './kinds.js';
import { MANIFEST_MEDIA_TYPE } from './manifest.js';
import { validateParameters } from './params.js';
import { checkRoles, checkTimes } from './rules.js';

/** A step as read back from its statement. */
export interface StepView {
  kind: StepKind;
  buildType: string;
  outputs: Artifact[];
  /** The subject annotated `bundle: true`, if any. */
  bundle?: { name: string; rootDigest: string };
  inputs: (Artifact & { role?: string })[];
  /** Dependencies annotated `tool: true`; not links. */
  tools: (Artifact & { uri?: string })[];
  parameters: Record<string, unknown>;
  builderId: string;
  invocationId?: string;
  startedOn?: Date;
  finishedOn?: Date;
  byproducts: Artifact[];
  /**
   * A manifest named in the subject in place of the outputs (`outputs` is
   * then empty until the chain loader expands it from the store).
   */
  outputsManifest?: Artifact;
  /** Manifests named in place of inputs, expanded likewise. */
  inputManifests?: (Artifact & { role?: string })[];
}

/** Media types of every manifest version, known or not. */
const MANIFEST_FAMILY = MANIFEST_MEDIA_TYPE.split(';')[0] ?? '';

/**
 * Reads a step back from its statement, strictly: Statement v1, SLSA
 * Provenance v1, a v1 build type under {@link BUILD_TYPE_BASE}, valid
 * parameters for the kind, every subject and dependency with a safe
 * relative name and a 64 lower-hex sha256.
 *
 * @param statement - A statement, e.g. from `parseStatement`.
 * @returns The step.
 * @throws {@link StatementError} `STATEMENT_TYPE_UNSUPPORTED`,
 *   `STATEMENT_PREDICATE_INVALID`, `STATEMENT_INVALID`,
 *   `STATEMENT_DESCRIPTOR_INVALID` or `STATEMENT_DIGEST_INVALID`.
 */
export function readStep(statement: Statement): StepView {
  const st = validateStatement(statement);
  if (st._type !== STATEMENT_TYPE) {
    throw new StatementError(
      'STATEMENT_TYPE_UNSUPPORTED',
      `_type: expected ${STATEMENT_TYPE}`,
    );
  }
  if (st.predicateType !== SLSA_PROVENANCE_V1) {
    throw new StatementError(
      'STATEMENT_PREDICATE_INVALID',
      `predicateType: expected ${SLSA_PROVENANCE_V1}`,
    );
  }
  const { buildDefinition: bd, runDetails: rd } = validateSlsaProvenance(
    st.predicate,
  );
  const kind = kindFromBuildType(bd.buildType);
  validateParameters(kind, bd.externalParameters);

  const { inputs, tools, inputManifests } = splitDependencies(
    bd.resolvedDependencies ?? [],
  );
  checkRoles(kind, [...inputs, ...(inputManifests ?? [])]);
  const meta = rd.metadata ?? {};
  checkTimes(meta.startedOn, meta.finishedOn);
  return {
    kind,
    buildType: bd.buildType,
    ...splitSubjects(st.subject),
    inputs,
    ...(inputManifests === undefined ? {} : { inputManifests }),
    tools,
    parameters: bd.externalParameters,
    builderId: rd.builder.id,
    ...(meta.invocationId === undefined
      ? {}
      : { invocationId: meta.invocationId }),
    ...(meta.startedOn === undefined
      ? {}
      : { startedOn: new Date(meta.startedOn) }),
    ...(meta.finishedOn === undefined
      ? {}
      : { finishedOn: new Date(meta.finishedOn) }),
    byproducts: (rd.byproducts ?? []).map((d, i) =>
      artifact(d, `byproducts[${i}]`),
    ),
  };
}

function splitSubjects(
  subject: ResourceDescriptor[],
): Pick<StepView, 'outputs' | 'bundle' | 'outputsManifest'> {
  const outputs: Artifact[] = [];
  const manifests: Artifact[] = [];
  let bundle: StepView['bundle'];
  for (const [i, d] of subject.entries()) {
    const a = artifact(d, `subject[${i}]`);
    if (isManifest(d, `subject[${i}]`)) {
      manifests.push(a);
    } else if (d.annotations?.bundle !== true) {
      outputs.push(a);
    } else if (bundle === undefined) {
      bundle = { name: a.name, rootDigest: a.sha256 };
    } else {
      throw new StatementError(
        'STATEMENT_INVALID',
        'subject: expected at most one bundle subject',
      );
    }
  }
  checkUniqueNames(outputs, 'subject');
  const manifest = onlyManifest(manifests, outputs.length);
  return {
    outputs,
    ...(bundle === undefined ? {} : { bundle }),
    ...(manifest === undefined ? {} : { outputsManifest: manifest }),
  };
}

/** Whether a descriptor names a manifest; a version not known is refused. */
function isManifest(d: ResourceDescriptor, at: string): boolean {
  const type = d.mediaType?.split(';')[0]?.trim().toLowerCase();
  if (type !== MANIFEST_FAMILY) return false;
  if (d.mediaType !== MANIFEST_MEDIA_TYPE || d.annotations?.bundle === true) {
    throw new StatementError(
      'STATEMENT_INVALID',
      `${at}.mediaType: expected ${JSON.stringify(MANIFEST_MEDIA_TYPE)} ` +
        'on a descriptor that is not the bundle',
    );
  }
  return true;
}

/** A statement names its outputs by one manifest or lists them, not both. */
function onlyManifest(
  manifests: Artifact[],
  listed: number,
): Artifact | undefined {
  if (manifests.length > 1 || (manifests.length === 1 && listed > 0)) {
    throw new StatementError(
      'STATEMENT_INVALID',
      'subject: expected either one manifest or a list of files',
    );
  }
  return manifests[0];
}

function splitDependencies(
  deps: ResourceDescriptor[],
): Pick<StepView, 'inputs' | 'tools' | 'inputManifests'> {
  const inputs: StepView['inputs'] = [];
  const tools: StepView['tools'] = [];
  const manifests: NonNullable<StepView['inputManifests']> = [];
  for (const [i, d] of deps.entries()) {
    const at = `resolvedDependencies[${i}]`;
    const a = artifact(d, at);
    if (d.annotations?.tool === true) {
      tools.push(d.uri === undefined ? a : { ...a, uri: d.uri });
      continue;
    }
    const role = d.annotations?.role;
    if (role !== undefined && typeof role !== 'string') {
      throw new StatementError(
        'STATEMENT_PREDICATE_INVALID',
        `${at}.annotations.role: expected a string`,
      );
    }
    const list = isManifest(d, at) ? manifests : inputs;
    list.push(role === undefined ? a : { ...a, role });
  }
  return manifests.length === 0
    ? { inputs, tools }
    : { inputs, tools, inputManifests: manifests };
}

function artifact(d: ResourceDescriptor, at: string): Artifact {
  const a = { name: d.name, sha256: d.digest?.sha256 };
  checkArtifact(a, at);
  // Other algorithms are kept so that links compare every shared one.
  const more = Object.keys(d.digest ?? {}).length > 1;
  const artifact: Artifact = { name: a.name, sha256: a.sha256 };
  return more ? { ...artifact, digest: { ...d.digest } } : artifact;
}
