import { expect } from 'vitest';

import { TrustError } from '../../src/errors.js';

/** The TrustError a refresh rejects with; fails the test if it resolves. */
export async function failureOf(
  promise: Promise<unknown>,
): Promise<TrustError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrustError);
  return error as TrustError;
}
