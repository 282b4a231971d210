import { StatementError } from '../errors.js';
import type { StepKind } from './kinds.js';

const ROLE = /^[a-z][a-z0-9-]{0,62}$/;

/** Roles that must each appear among the inputs of a kind. */
const REQUIRED_ROLES: Readonly<Record<string, readonly string[]>> = {
  'adapter-attach': ['base', 'adapter'],
};

/**
 * Checks the inputs' roles: at least one input, well-formed roles, and the
 * roles a kind requires (adapter-attach: `base` and `adapter`).
 *
 * @param kind - The step kind.
 * @param inputs - The inputs.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID`.
 */
export function checkRoles(
  kind: StepKind,
  inputs: readonly { role?: unknown }[],
): void {
  if (inputs.length === 0) {
    throw invalid('inputs: expected at least one input');
  }
  for (const [i, { role }] of inputs.entries()) {
    if (role !== undefined && !(typeof role === 'string' && ROLE.test(role))) {
      throw invalid(
        `inputs[${i}].role: expected a name matching ${String(ROLE)}`,
      );
    }
  }
  const required = Object.hasOwn(REQUIRED_ROLES, kind)
    ? REQUIRED_ROLES[kind]
    : [];
  for (const role of required ?? []) {
    if (!inputs.some((x) => x.role === role)) {
      throw invalid(`inputs: ${kind} expects an input with role '${role}'`);
    }
  }
}

/**
 * Checks that the finish time, when both are given, is not before the start
 * time (their RFC 3339 form is checked by the SLSA validator).
 *
 * @param startedOn - RFC 3339 time or undefined.
 * @param finishedOn - RFC 3339 time or undefined.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID`.
 */
export function checkTimes(startedOn?: string, finishedOn?: string): void {
  if (startedOn === undefined || finishedOn === undefined) return;
  if (Date.parse(finishedOn) < Date.parse(startedOn)) {
    throw invalid('finishedOn: expected a time not before startedOn');
  }
}

function invalid(what: string): StatementError {
  return new StatementError('STATEMENT_PREDICATE_INVALID', what);
}
