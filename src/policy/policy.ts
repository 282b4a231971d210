import { parse as parseYaml } from 'yaml';

import { PolicyError } from '../errors.js';

/** Who may sign a step: an OIDC issuer and an identity, exact or pattern. */
export interface SignerRule {
  /** OIDC issuer URL, compared exactly. */
  issuer: string;
  /** Certificate identity (URI or e-mail SAN), compared exactly. */
  identity?: string;
  /** A regular expression that must match the whole identity (anchored). */
  identityPattern?: string;
}

/** The rule for one step kind. */
export interface StepRule {
  /** Identities allowed to sign this kind of step; one must match. */
  signers: SignerRule[];
  /** Whether the chain must contain this step kind. */
  required: boolean;
  /**
   * How many distinct allowed signers must each attest the same step (same
   * inputs and outputs), k of n. Default 1.
   */
  threshold?: number;
  /**
   * The step kinds whose outputs this kind may consume; an empty list means
   * policy roots only. Absent: any kind.
   */
  after?: string[];
}

/** An input trusted by digest: produced by no attested step. */
export interface TrustedRoot {
  sha256: string;
  name?: string;
}

/** What the deployed bundle must be, when the policy pins a release. */
export interface ReleaseRule {
  /** Expected `release.name` in the last step's parameters. */
  name?: string;
  /** Expected `release.version` in the last step's parameters. */
  version?: string;
  /** Expected root digest of the deployed bundle. */
  sha256?: string;
}

/** A validated chain policy. */
export interface Policy {
  version: 1;
  steps: Record<string, StepRule>;
  roots: TrustedRoot[];
  /** Step kinds that may produce the deployed files. Absent: any kind. */
  final?: string[];
  release?: ReleaseRule;
}

/** Policies are small; anything larger is refused before parsing. */
export const MAX_POLICY_BYTES = 1024 * 1024;

const KIND = /^[a-z][a-z0-9-]{0,62}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses a policy from YAML or JSON text and validates it.
 *
 * @param text - the policy document (JSON is accepted as YAML).
 * @returns the validated policy.
 * @throws PolicyError `POLICY_NOT_PARSEABLE` or `POLICY_INVALID`.
 * @example
 * ```ts
 * const policy = parsePolicy(await readFile('policy.yaml', 'utf8'));
 * ```
 */
export function parsePolicy(text: string): Policy {
  if (new TextEncoder().encode(text).length > MAX_POLICY_BYTES) {
    throw new PolicyError(
      'POLICY_INVALID',
      `policy is larger than ${MAX_POLICY_BYTES} bytes`,
    );
  }
  let doc: unknown;
  try {
    // uniqueKeys refuses duplicate keys: two readers must not disagree.
    doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: 0 });
  } catch (cause) {
    throw new PolicyError('POLICY_NOT_PARSEABLE', 'policy is not YAML', {
      cause,
    });
  }
  return validatePolicy(doc);
}

/**
 * Validates a policy object.
 *
 * @throws PolicyError `POLICY_INVALID` naming the first offending field.
 */
export function validatePolicy(doc: unknown): Policy {
  const obj = record(doc, 'policy');
  allowOnly(obj, ['version', 'steps', 'roots', 'final', 'release'], 'policy');
  if (obj.version !== 1) {
    invalid(`policy.version: expected 1, got ${String(obj.version)}`);
  }
  const stepsObj = record(obj.steps, 'policy.steps');
  const steps: Record<string, StepRule> = Object.create(null) as Record<
    string,
    StepRule
  >;
  for (const [kind, rule] of Object.entries(stepsObj)) {
    if (!KIND.test(kind)) invalid(`policy.steps: bad step kind "${kind}"`);
    steps[kind] = validateStepRule(rule, `policy.steps.${kind}`);
  }
  if (Object.keys(steps).length === 0) {
    invalid('policy.steps: expected at least one step kind');
  }
  const roots = list(obj.roots ?? [], 'policy.roots').map((r, i) =>
    validateRoot(r, `policy.roots[${i}]`),
  );
  const policy: Policy = { version: 1, steps, roots };
  if (obj.final !== undefined) {
    policy.final = kinds(obj.final, 'policy.final', steps);
  }
  if (obj.release !== undefined) {
    policy.release = validateRelease(obj.release, 'policy.release');
  }
  for (const [kind, rule] of Object.entries(steps)) {
    // A kind may only follow kinds the policy lists: no dangling names.
    if (rule.after) kinds(rule.after, `policy.steps.${kind}.after`, steps);
  }
  return policy;
}

function kinds(
  value: unknown,
  where: string,
  steps: Record<string, StepRule>,
): string[] {
  return list(value, where).map((k, i) => {
    const kind = text(k, `${where}[${i}]`);
    if (!Object.hasOwn(steps, kind)) {
      invalid(`${where}[${i}]: "${kind}" is not a step kind of this policy`);
    }
    return kind;
  });
}

function validateRelease(value: unknown, where: string): ReleaseRule {
  const obj = record(value, where);
  allowOnly(obj, ['name', 'version', 'sha256'], where);
  const release: ReleaseRule = {};
  if (obj.name !== undefined) release.name = text(obj.name, `${where}.name`);
  if (obj.version !== undefined) {
    release.version = text(obj.version, `${where}.version`);
  }
  if (obj.sha256 !== undefined) {
    release.sha256 = text(obj.sha256, `${where}.sha256`);
    if (!SHA256.test(release.sha256)) {
      invalid(`${where}.sha256: expected 64 lower-case hex digits`);
    }
  }
  return release;
}

function validateStepRule(value: unknown, where: string): StepRule {
  const obj = record(value, where);
  allowOnly(obj, ['signers', 'required', 'after', 'threshold'], where);
  const signers = list(obj.signers, `${where}.signers`).map((s, i) =>
    validateSigner(s, `${where}.signers[${i}]`),
  );
  if (signers.length === 0) invalid(`${where}.signers: expected at least one`);
  if (obj.required !== undefined && typeof obj.required !== 'boolean') {
    invalid(`${where}.required: expected a boolean`);
  }
  const threshold = obj.threshold ?? 1;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold)) {
    invalid(`${where}.threshold: expected an integer of at least 1`);
  }
  if (threshold < 1) invalid(`${where}.threshold: expected at least 1`);
  const exact = new Set(signers.map((s) => s.identityPattern ?? s.identity));
  if (signers.every((s) => s.identity) && threshold > exact.size) {
    invalid(
      `${where}.threshold: ${threshold} signers required, ` +
        `but only ${exact.size} identities are allowed`,
    );
  }
  const rule: StepRule = {
    signers,
    required: obj.required === true,
    threshold,
  };
  if (obj.after !== undefined) {
    rule.after = list(obj.after, `${where}.after`).map((k, i) =>
      text(k, `${where}.after[${i}]`),
    );
  }
  return rule;
}

function validateSigner(value: unknown, where: string): SignerRule {
  const obj = record(value, where);
  allowOnly(obj, ['issuer', 'identity', 'identityPattern'], where);
  const issuer = text(obj.issuer, `${where}.issuer`);
  const hasExact = obj.identity !== undefined;
  const hasPattern = obj.identityPattern !== undefined;
  if (hasExact === hasPattern) {
    invalid(`${where}: expected exactly one of identity, identityPattern`);
  }
  if (hasExact) return { issuer, identity: text(obj.identity, where) };
  const pattern = text(obj.identityPattern, `${where}.identityPattern`);
  try {
    new RegExp(pattern, 'u');
  } catch (cause) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${where}.identityPattern: not a valid regular expression`,
      { cause },
    );
  }
  return { issuer, identityPattern: pattern };
}

function validateRoot(value: unknown, where: string): TrustedRoot {
  const obj = record(value, where);
  allowOnly(obj, ['sha256', 'name'], where);
  const sha256 = text(obj.sha256, `${where}.sha256`);
  if (!SHA256.test(sha256)) {
    invalid(`${where}.sha256: expected 64 lower-case hex digits`);
  }
  if (obj.name === undefined) return { sha256 };
  return { sha256, name: text(obj.name, `${where}.name`) };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) invalid(`${where}: expected a list`);
  return value as unknown[];
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    invalid(`${where}: expected a non-empty string`);
  }
  return value;
}

function allowOnly(
  obj: Record<string, unknown>,
  keys: string[],
  where: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) invalid(`${where}: unknown field "${key}"`);
  }
}

function invalid(message: string): never {
  throw new PolicyError('POLICY_INVALID', message);
}
