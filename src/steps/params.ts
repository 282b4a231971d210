import { StatementError } from '../errors.js';
import type { StepKind } from './kinds.js';

type Params = Record<string, unknown>;
type Check = (p: Params) => string | undefined;

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_DEPTH = 32;

const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v !== '';
const intIn = (v: unknown, lo: number, hi: number): boolean =>
  Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** Per built-in kind: the reason its parameters are wrong, if any. */
const CHECKS: Readonly<Record<string, Check>> = {
  quantize: (p) => {
    if (!nonEmpty(p.scheme)) return 'scheme: expected a non-empty string';
    if (!intIn(p.bits, 1, 64)) return 'bits: expected an integer 1 to 64';
    const cal = p.calibrationDataDigest;
    if (cal !== undefined && !(typeof cal === 'string' && SHA256_HEX.test(cal)))
      return 'calibrationDataDigest: expected 64 lower-case hex characters';
    return undefined;
  },
  'adapter-attach': (p) => {
    if (!nonEmpty(p.adapterName)) return 'adapterName: expected a string';
    if (!intIn(p.rank, 1, 2 ** 31)) return 'rank: expected a positive integer';
    const mods = p.targetModules;
    if (!Array.isArray(mods) || mods.length === 0 || !mods.every(nonEmpty))
      return 'targetModules: expected a non-empty array of names';
    if (p.mode !== 'merged' && p.mode !== 'side-loaded')
      return "mode: expected 'merged' or 'side-loaded'";
    return undefined;
  },
  export: (p) =>
    !nonEmpty(p.sourceFormat)
      ? 'sourceFormat: expected a non-empty string'
      : !nonEmpty(p.targetFormat)
        ? 'targetFormat: expected a non-empty string'
        : undefined,
  repackage: (p) =>
    !nonEmpty(p.format)
      ? 'format: expected a non-empty string'
      : !nonEmpty(p.targetRuntime)
        ? 'targetRuntime: expected a non-empty string'
        : undefined,
};

/**
 * Validates a step's parameters (its `externalParameters`). Built-in kinds
 * require their documented fields and allow extra ones; user kinds are
 * free-form. All values must be plain JSON.
 *
 * @param kind - The step kind.
 * @param params - The parameters.
 * @throws {@link StatementError} `STATEMENT_PREDICATE_INVALID`.
 */
export function validateParameters(kind: StepKind, params: unknown): void {
  if (!isPlainObject(params) || !isJson(params)) {
    throw invalid('expected a JSON object of plain JSON values');
  }
  const reason = Object.hasOwn(CHECKS, kind)
    ? CHECKS[kind]?.(params)
    : undefined;
  if (reason !== undefined) {
    throw invalid(`${kind} ${reason} (see docs/build-types.md)`);
  }
}

function invalid(what: string): StatementError {
  return new StatementError(
    'STATEMENT_PREDICATE_INVALID',
    `step parameters (externalParameters): ${what}`,
  );
}

function isPlainObject(v: unknown): v is Params {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Strings, finite numbers, booleans, null, arrays and plain objects only. */
function isJson(v: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean')
    return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (!isPlainObject(v)) return false;
  return Object.values(v).every((x) => isJson(x, depth + 1));
}
