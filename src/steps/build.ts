import { StatementError } from '../errors.js';
import {
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE,
  validateSlsaProvenance,
  validateStatement,
  type ResourceDescriptor,
  type SlsaProvenance,
  type Statement,
} from '../statement/index.js';
import { checkArtifact, checkUniqueNames, type Artifact } from './artifact.js';
import { MANIFEST_MEDIA_TYPE, MANIFEST_SUBJECT_NAME } from './manifest.js';
import { buildTypeFor, type StepKind } from './kinds.js';
import { validateParameters } from './params.js';
import { checkRoles, checkTimes } from './rules.js';

/** What one packaging step did: the source of its statement. */
export interface StepDescription {
  kind: StepKind;
  /** One subject per output file. */
  outputs: Artifact[];
  /** Optional extra subject naming the whole bundle by its root digest. */
  bundle?: { name: string; rootDigest: string };
  /** Inputs, recorded as resolvedDependencies; `role` e.g. base, adapter. */
  inputs: (Artifact & { role?: string })[];
  /** What the step was asked to do: `externalParameters`. */
  parameters: Record<string, unknown>;
  /** Tools used; recorded with annotation `tool: true`; never links. */
  tools?: (Artifact & { uri?: string })[];
  builderId: string;
  invocationId?: string;
  /** RFC 3339 time. */
  startedOn?: string;
  /** RFC 3339 time, not before `startedOn`. */
  finishedOn?: string;
  /** Logs and reports. */
  byproducts?: Artifact[];
  /**
   * SHA-256 of a stored manifest of `outputs` (see `encodeManifest`): the
   * subject names it instead of listing every output. The caller vouches
   * that it lists exactly `outputs`, which are still checked.
   */
  outputsManifest?: string;
  /**
   * Manifests of the inputs, one per role: resolvedDependencies name them
   * instead of listing every input. The caller vouches that together they
   * list exactly `inputs`, whose roles are still checked.
   */
  inputManifests?: { sha256: string; role?: string }[];
}

/**
 * Builds the in-toto Statement with a SLSA Provenance v1 predicate for one
 * step, after checking the description: kind, per-kind parameters, safe
 * names, sha256 digests, roles, builder id and times.
 *
 * @param step - The step.
 * @returns The statement, ready to be serialized and signed.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID`,
 *   `STATEMENT_INVALID`, `STATEMENT_DESCRIPTOR_INVALID` or
 *   `STATEMENT_DIGEST_INVALID`, naming the faulty field.
 * @example
 * const statement = buildStepStatement({
 *   kind: 'quantize',
 *   outputs: [{ name: 'model-q4.gguf', sha256: outHex }],
 *   inputs: [{ name: 'model.safetensors', sha256: inHex }],
 *   parameters: { scheme: 'q4_k_m', bits: 4 },
 *   builderId: 'https://github.com/acme/pipeline/.github/workflows/q.yml',
 * });
 */
export function buildStepStatement(step: StepDescription): Statement {
  const buildType = buildTypeFor(step.kind);
  validateParameters(step.kind, step.parameters);
  const subject = subjects(step);
  const predicate: SlsaProvenance = {
    buildDefinition: {
      buildType,
      externalParameters: step.parameters,
      resolvedDependencies: dependencies(step),
    },
    runDetails: runDetails(step),
  };

  // Round through the validators: what we emit is what readers accept.
  validateSlsaProvenance(predicate);
  return validateStatement({
    _type: STATEMENT_TYPE,
    subject,
    predicateType: SLSA_PROVENANCE_V1,
    predicate,
  });
}

function subjects(step: StepDescription): ResourceDescriptor[] {
  step.outputs.forEach((a, i) => checkArtifact(a, `outputs[${i}]`));
  checkUniqueNames(step.outputs, 'outputs');
  const out: ResourceDescriptor[] =
    step.outputsManifest === undefined
      ? step.outputs.map(descriptor)
      : [manifestDescriptor(step.outputsManifest, 'outputsManifest')];
  if (step.bundle !== undefined) {
    const { name, rootDigest } = step.bundle;
    checkArtifact({ name, sha256: rootDigest }, 'bundle');
    out.push({
      ...descriptor({ name, sha256: rootDigest }),
      annotations: { bundle: true },
    });
  }
  if (out.length === 0) {
    throw new StatementError(
      'STATEMENT_INVALID',
      'outputs: expected at least one output or a bundle',
    );
  }
  return out;
}

function dependencies(step: StepDescription): ResourceDescriptor[] {
  step.inputs.forEach((a, i) => checkArtifact(a, `inputs[${i}]`));
  checkRoles(step.kind, step.inputs);
  if (step.inputManifests !== undefined) {
    checkRoles(step.kind, step.inputManifests);
  }
  const tools = step.tools ?? [];
  tools.forEach((a, i) => checkArtifact(a, `tools[${i}]`));
  const listed =
    step.inputManifests === undefined
      ? step.inputs.map((a) => withRole(descriptor(a), a.role))
      : step.inputManifests.map((m, i) =>
          withRole(
            manifestDescriptor(m.sha256, `inputManifests[${i}]`),
            m.role,
          ),
        );
  return [
    ...listed,
    ...tools.map((t) => ({
      ...descriptor(t),
      ...(t.uri === undefined ? {} : { uri: t.uri }),
      annotations: { tool: true },
    })),
  ];
}

function runDetails(step: StepDescription): SlsaProvenance['runDetails'] {
  checkTimes(step.startedOn, step.finishedOn);
  const metadata = {
    ...(step.invocationId === undefined
      ? {}
      : { invocationId: step.invocationId }),
    ...(step.startedOn === undefined ? {} : { startedOn: step.startedOn }),
    ...(step.finishedOn === undefined ? {} : { finishedOn: step.finishedOn }),
  };
  const byproducts = step.byproducts ?? [];
  byproducts.forEach((a, i) => checkArtifact(a, `byproducts[${i}]`));
  return {
    builder: { id: step.builderId },
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    ...(byproducts.length === 0
      ? {}
      : { byproducts: byproducts.map(descriptor) }),
  };
}

function withRole(d: ResourceDescriptor, role?: string): ResourceDescriptor {
  return role === undefined ? d : { ...d, annotations: { role } };
}

function manifestDescriptor(sha256: string, at: string): ResourceDescriptor {
  checkArtifact({ name: MANIFEST_SUBJECT_NAME, sha256 }, at);
  return {
    ...descriptor({ name: MANIFEST_SUBJECT_NAME, sha256 }),
    mediaType: MANIFEST_MEDIA_TYPE,
  };
}

function descriptor(a: Artifact): ResourceDescriptor {
  return { name: a.name, digest: { sha256: a.sha256 } };
}
