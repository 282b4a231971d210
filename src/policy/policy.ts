import { parse as parseYaml } from 'yaml';

import { PolicyError } from '../errors.js';
import { allowOnly, invalid, list, record, text } from './fields.js';
import {
  signerRuleKey,
  validateSigner,
  type KeyFiles,
  type SignerRule,
} from './signers.js';

export type {
  IdentitySignerRule,
  KeySignerRule,
  SignerRule,
} from './signers.js';

/** The rule for one step kind. */
export interface StepRule {
  /** Identities or keys allowed to sign this kind of step; one must match. */
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
  /**
   * Whether a key-signed step may lack a transparency-log entry and a
   * signed time (a fully offline site). Default false, as in Sigstore.
   * Keyless steps always need both.
   */
  allowUnlogged?: boolean;
}

/** What {@link validatePolicy} may use beside the document. */
export interface PolicyValidationOptions {
  /** Key files named by `key:` rules, read beside the policy file. */
  keyFiles?: KeyFiles;
}

/** Policies are small; anything larger is refused before parsing. */
export const MAX_POLICY_BYTES = 1024 * 1024;

const TOP_FIELDS = [
  'version',
  'steps',
  'roots',
  'final',
  'release',
  'allowUnlogged',
] as const;
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
  return validatePolicy(parsePolicyDocument(text));
}

/**
 * Parses a policy's YAML or JSON text into a document, not yet validated.
 *
 * @throws PolicyError `POLICY_NOT_PARSEABLE`, or `POLICY_INVALID` when it
 *   is larger than {@link MAX_POLICY_BYTES}.
 */
export function parsePolicyDocument(text: string): unknown {
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
  return doc;
}

/**
 * Validates a policy object. A signer rule `key: PATH` needs the file's
 * text in `options.keyFiles` (see {@link loadPolicy}).
 *
 * @throws PolicyError `POLICY_INVALID` naming the first offending field.
 */
export function validatePolicy(
  doc: unknown,
  options: PolicyValidationOptions = {},
): Policy {
  const obj = record(doc, 'policy');
  allowOnly(obj, [...TOP_FIELDS], 'policy');
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
    steps[kind] = validateStepRule(rule, `policy.steps.${kind}`, options);
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
  if (obj.allowUnlogged !== undefined) {
    if (typeof obj.allowUnlogged !== 'boolean') {
      invalid('policy.allowUnlogged: expected a boolean');
    }
    policy.allowUnlogged = obj.allowUnlogged;
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

function validateStepRule(
  value: unknown,
  where: string,
  options: PolicyValidationOptions,
): StepRule {
  const obj = record(value, where);
  allowOnly(obj, ['signers', 'required', 'after', 'threshold'], where);
  const signers = list(obj.signers, `${where}.signers`).map((s, i) => {
    const at = `${where}.signers[${i}]`;
    return validateSigner(record(s, at), at, options.keyFiles);
  });
  if (signers.length === 0) invalid(`${where}.signers: expected at least one`);
  if (obj.required !== undefined && typeof obj.required !== 'boolean') {
    invalid(`${where}.required: expected a boolean`);
  }
  const threshold = obj.threshold ?? 1;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold)) {
    invalid(`${where}.threshold: expected an integer of at least 1`);
  }
  if (threshold < 1) invalid(`${where}.threshold: expected at least 1`);
  // Exact identities and keys can be counted; a pattern may match many.
  const exact = signers.map(signerRuleKey);
  const distinct = new Set(exact).size;
  if (!exact.includes(undefined) && threshold > distinct) {
    invalid(
      `${where}.threshold: ${threshold} signers required, ` +
        `but only ${distinct} identities or keys are allowed`,
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
