import { StatementError, type StatementErrorCode } from '../errors.js';

/** A JSON object as parsed: string keys, unknown values. */
export type JsonObject = Record<string, unknown>;

/**
 * Tells whether `v` is a plain JSON object (not null, not an array).
 *
 * @param v - Any value.
 * @returns `true` for an object.
 */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds a StatementError for the value at JSON path `at`.
 *
 * @param code - The error code.
 * @param at - Where, e.g. `subject[0].digest`.
 * @param what - What was expected and found.
 * @returns The error, to be thrown.
 */
export function fail(
  code: StatementErrorCode,
  at: string,
  what: string,
): StatementError {
  return new StatementError(code, `${at}: ${what}`);
}

/** Describes a JSON value's kind for error messages. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Reads an optional string field.
 *
 * @returns The string, or `undefined` when absent.
 * @throws {@link StatementError} with `code` when present but not a string.
 */
export function optionalString(
  obj: JsonObject,
  key: string,
  at: string,
  code: StatementErrorCode,
): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw fail(code, `${at}.${key}`, `expected a string, found ${kindOf(v)}`);
  }
  return v;
}

/**
 * Reads an optional object field.
 *
 * @returns The object, or `undefined` when absent.
 * @throws {@link StatementError} with `code` when present but not an object.
 */
export function optionalObject(
  obj: JsonObject,
  key: string,
  at: string,
  code: StatementErrorCode,
): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    throw fail(code, `${at}.${key}`, `expected an object, found ${kindOf(v)}`);
  }
  return v;
}
