import { PolicyError } from '../errors.js';

// Readers of policy fields: each names the field it refuses.

/** The value as a mapping. @throws PolicyError `POLICY_INVALID`. */
export function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

/** The value as a list. @throws PolicyError `POLICY_INVALID`. */
export function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) invalid(`${where}: expected a list`);
  return value as unknown[];
}

/** The value as a non-empty string. @throws PolicyError `POLICY_INVALID`. */
export function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    invalid(`${where}: expected a non-empty string`);
  }
  return value;
}

/** Refuses fields other than `keys`. @throws PolicyError `POLICY_INVALID`. */
export function allowOnly(
  obj: Record<string, unknown>,
  keys: string[],
  where: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) invalid(`${where}: unknown field "${key}"`);
  }
}

/** Throws PolicyError `POLICY_INVALID` with the message. */
export function invalid(message: string): never {
  throw new PolicyError('POLICY_INVALID', message);
}
