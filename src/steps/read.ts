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
}

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

  const { inputs, tools } = splitDependencies(bd.resolvedDependencies ?? []);
  checkRoles(kind, inputs);
  const meta = rd.metadata ?? {};
  checkTimes(meta.startedOn, meta.finishedOn);
  return {
    kind,
    buildType: bd.buildType,
    ...splitSubjects(st.subject),
    inputs,
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
): Pick<StepView, 'outputs' | 'bundle'> {
  const outputs: Artifact[] = [];
  let bundle: StepView['bundle'];
  for (const [i, d] of subject.entries()) {
    const a = artifact(d, `subject[${i}]`);
    if (d.annotations?.bundle !== true) {
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
  return bundle === undefined ? { outputs } : { outputs, bundle };
}

function splitDependencies(
  deps: ResourceDescriptor[],
): Pick<StepView, 'inputs' | 'tools'> {
  const inputs: StepView['inputs'] = [];
  const tools: StepView['tools'] = [];
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
    inputs.push(role === undefined ? a : { ...a, role });
  }
  return { inputs, tools };
}

function artifact(d: ResourceDescriptor, at: string): Artifact {
  const a = { name: d.name, sha256: d.digest?.sha256 };
  checkArtifact(a, at);
  return { name: a.name, sha256: a.sha256 };
}
